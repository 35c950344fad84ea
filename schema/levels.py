"""The unit levels of the party hierarchy and which level may sit under which."""

from flask_babel import lazy_gettext as _l

#: Level codes as written in unit files and the survey config, from the top down.
LEVELS = ("tinh", "cap_huyen", "dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc")

#: Levels that fill in the survey (the province only follows and consolidates).
REPORTING_LEVELS = LEVELS[1:]

LEVEL_LABELS = {
    "tinh": _l("Provincial Party Committee"),
    "cap_huyen": _l("District-level committee"),
    "dang_bo_co_so": _l("Grassroots party committee"),
    "chi_bo_co_so": _l("Grassroots party cell"),
    "chi_bo_truc_thuoc": _l("Party cell under a grassroots committee"),
}

#: The level a unit's parent must have; None means the unit is a root.
PARENT_LEVEL = {
    "tinh": None,
    "cap_huyen": "tinh",
    "dang_bo_co_so": "cap_huyen",
    "chi_bo_co_so": "cap_huyen",
    "chi_bo_truc_thuoc": "dang_bo_co_so",
}


def level_label(level):
    """Return the translated name of a level code."""
    return LEVEL_LABELS[level]
