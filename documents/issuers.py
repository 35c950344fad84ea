"""Who issues a unit's documents: the body above, the name it signs with, its code, its place.

The unit list may give each of these (docs/unit-list.md); what it leaves empty is derived from the
unit's level and name by the party's naming: "Đảng bộ xã Ea Kar" is signed by "ĐẢNG ỦY XÃ EA KAR" (code ĐU)
and dated at "Ea Kar"; "Huyện ủy Krông Pắc" heads "ĐẢNG BỘ HUYỆN KRÔNG PẮC" (code HU); a cell signs as
itself (CB) and is dated at its committee's place.
"""

import re
import unicodedata
from dataclasses import dataclass

#: How an organisation's name (Đảng bộ ...) and its committee's name (... ủy) begin, and the committee's
#: code in document numbers; the longest beginnings first. A thị ủy's code is TU like a tỉnh ủy's.
COMMITTEES = (
    ("Đảng bộ tỉnh", "Tỉnh ủy", "TU"),
    ("Đảng bộ thành phố", "Thành ủy", "ThU"),
    ("Đảng bộ huyện", "Huyện ủy", "HU"),
    ("Đảng bộ quận", "Quận ủy", "QU"),
    ("Đảng bộ thị xã", "Thị ủy", "TU"),
    ("Đảng bộ", "Đảng ủy", "ĐU"),
    ("Chi bộ", "Chi bộ", "CB"),
)

#: The code of a body whose name says nothing, by its level.
LEVEL_CODES = {"tinh": "TU", "cap_huyen": "ĐU", "dang_bo_co_so": "ĐU", "chi_bo_co_so": "CB",
               "chi_bo_truc_thuoc": "CB"}

#: Levels whose body has a standing committee unless the unit list says otherwise.
STANDING_COMMITTEE_LEVELS = ("tinh", "cap_huyen")

#: The body a code stands for, as "T/M ..." and the archive line name it.
BODIES = {"CB": "Chi bộ", "ĐU": "Đảng ủy", "HU": "Huyện ủy", "ThU": "Thành ủy", "QU": "Quận ủy", "TU": "Tỉnh ủy"}

#: Words after "Đảng bộ" or "Chi bộ" that name an administrative unit: what follows them is the place.
PLACE_KINDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu")

PARENTHESES = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Issuer:
    """A unit as it issues a document: the header's left column and the signature's authority."""

    #: The party organisation directly above, upper case ("ĐẢNG BỘ XÃ HÒA THẮNG"); empty for the province.
    superior: str
    #: The issuing body as it signs, upper case ("CHI BỘ THÔN 1", "ĐẢNG ỦY XÃ EA KAR").
    name: str
    #: Its code in document numbers: CB, ĐU, HU, ThU, TU ...
    code: str
    #: The place its documents are dated at ("Ea Kar"); empty when nothing names one.
    place: str
    #: Whether its standing committee signs for it.
    has_standing_committee: bool

    @property
    def authority(self):
        """Return the line that says in whose name the document is signed: T/M BAN THƯỜNG VỤ, T/M CHI BỘ ..."""
        if self.has_standing_committee:
            return "T/M BAN THƯỜNG VỤ"
        return "T/M " + BODIES.get(self.code, "Đảng ủy").upper()

    @property
    def archive(self):
        """Return the last recipient: the issuing body's own file ("Lưu Chi bộ", "Lưu Văn phòng Huyện ủy")."""
        body = BODIES.get(self.code, "Đảng ủy")
        return f"Lưu Văn phòng {body}" if self.has_standing_committee else f"Lưu {body}"


def issuer_of(unit, parent=None):
    """Return how `unit` issues documents: the unit list's own values where it gives them, else derived.

    `parent` is the unit directly above (the unit's own `parent` when not given); a unit without a place
    of its own in its name is dated at its parent's place, and so on up."""
    parent = parent if parent is not None else unit.parent
    return Issuer(
        superior=upper(organisation_name(parent.name)) if parent is not None else "",
        name=upper(unit.issuing_name or committee_name(unit.name)),
        code=unit.issuing_code or committee_code(unit.name, unit.level),
        place=place_of(unit, parent),
        has_standing_committee=has_standing_committee(unit),
    )


def has_standing_committee(unit):
    """Tell whether the unit's standing committee signs for it: as the unit list says, else by its level."""
    if unit.has_standing_committee is None:
        return unit.level in STANDING_COMMITTEE_LEVELS
    return unit.has_standing_committee


def addressee_of(unit):
    """Return how a document addresses `unit` among its recipients: "Ban Thường vụ Huyện ủy Krông Pắc",
    "Đảng ủy xã Hòa Thắng"."""
    committee = committee_name(unit.name)
    return f"Ban Thường vụ {committee}" if has_standing_committee(unit) else committee


def upper(text):
    return unicodedata.normalize("NFC", text).upper()


def folded(text):
    """Return text for comparing names: NFC, lower case, and the old accent place ("uỷ") as the new ("ủy")."""
    return unicodedata.normalize("NFC", text).casefold().replace("uỷ", "ủy")


def split_beginning(name, beginnings):
    """Return (index in `beginnings`, rest of the name) for the first beginning the name starts with as
    whole words, or (None, name)."""
    name = unicodedata.normalize("NFC", name).strip()
    key = folded(name)
    for index, beginning in enumerate(beginnings):
        start = folded(beginning)
        if key == start or key.startswith(start + " "):
            return index, name[len(beginning):].strip()
    return None, name


def organisation_name(name):
    """Return the organisation a committee's name stands for: "Huyện ủy Krông Pắc" → "Đảng bộ huyện Krông
    Pắc", "Đảng ủy Khối các cơ quan tỉnh" → "Đảng bộ Khối các cơ quan tỉnh"; other names as they are."""
    index, rest = split_beginning(name, [committee for _organisation, committee, _code in COMMITTEES])
    return name if index is None else f"{COMMITTEES[index][0]} {rest}".strip()


def committee_name(name):
    """Return the name an organisation's committee signs with: "Đảng bộ xã Ea Kar" → "Đảng ủy xã Ea Kar",
    "Đảng bộ thành phố X" → "Thành ủy X"; a committee's or a cell's name as it is."""
    index, rest = split_beginning(organisation_name(name), [organisation for organisation, *_ in COMMITTEES])
    return name if index is None else f"{COMMITTEES[index][1]} {rest}".strip()


def committee_code(name, level):
    """Return the code a body's documents carry, from its name, else from its level."""
    index, _rest = split_beginning(organisation_name(name), [organisation for organisation, *_ in COMMITTEES])
    return LEVEL_CODES[level] if index is None else COMMITTEES[index][2]


def place_in(name):
    """Return the administrative unit a name is of ("Đảng bộ xã Ea Kar", "Chi bộ xã Ia Rvê" → "Ea Kar",
    "Ia Rvê"), or "" if none ("Chi bộ thôn 1", "Đảng bộ Sở Tài chính")."""
    index, rest = split_beginning(organisation_name(name), ["Đảng bộ", "Chi bộ"])
    if index is None:
        return ""
    kind, place = split_beginning(rest, PLACE_KINDS)
    return "" if kind is None else PARENTHESES.sub("", place).strip()


def place_of(unit, parent):
    """Return the unit list's place, else the one the name gives, else the parent's, and so on up."""
    place = unit.place or place_in(unit.name)
    if place or parent is None:
        return place
    return place_of(parent, parent.parent)
