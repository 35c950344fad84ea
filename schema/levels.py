"""The unit levels of the party hierarchy and which level may sit under which.

Two shapes of province are accepted, mixed in one file. The seed's (2017): province → district-level
committee (huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy) → grassroots committee or cell → cell. And
today's, since the district level ended on 30 June 2025: commune, ward and special-zone committees and
grassroots cells sit directly under the province as well, and `cap_huyen` holds the committees that
remain between them and the province ("cấp trên cơ sở").
"""

from flask_babel import lazy_gettext as _l

#: Level codes as written in unit files and the survey config, from the top down.
LEVELS = ("tinh", "cap_huyen", "dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc")

#: Levels that fill in the survey (the province only follows and consolidates).
REPORTING_LEVELS = LEVELS[1:]

#: The committee above grassroots level: a district or city committee, or a committee directly under
#: the province. A unit has at most one of them above it.
ABOVE_GRASSROOTS_LEVEL = "cap_huyen"

#: Grassroots organisations: a committee with cells under it, or a cell that is one by itself.
GRASSROOTS_LEVELS = ("dang_bo_co_so", "chi_bo_co_so")

LEVEL_LABELS = {
    "tinh": _l("Provincial Party Committee"),
    "cap_huyen": _l("Committee above grassroots level (district or city committee, committee directly "
                    "under the province)"),
    "dang_bo_co_so": _l("Grassroots party committee"),
    "chi_bo_co_so": _l("Grassroots party cell"),
    "chi_bo_truc_thuoc": _l("Party cell under a grassroots committee"),
}

#: The levels a unit's parent may have, nearest first; an empty tuple means the unit is a root.
PARENT_LEVELS = {
    "tinh": (),
    "cap_huyen": ("tinh",),
    "dang_bo_co_so": ("cap_huyen", "tinh"),
    "chi_bo_co_so": ("cap_huyen", "tinh"),
    "chi_bo_truc_thuoc": ("dang_bo_co_so",),
}


def level_label(level):
    """Return the translated name of a level code."""
    return LEVEL_LABELS[level]
