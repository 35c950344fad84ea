"""Units of the party hierarchy, each with its secret survey link."""

import datetime as dt
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

import clock
from link_tokens import new_link_token
from schema import LEVELS

from .base import UTCDateTime, db

#: The longest name a unit may have, in characters (PostgreSQL counts characters too).
NAME_MAX_LENGTH = 300
#: The longest code of an issuing body in document numbers ("ThU", "ĐUK" ...).
ISSUING_CODE_MAX_LENGTH = 10
#: The longest contact role, phone number (as typed, with its spaces) and e-mail address a unit may have.
CONTACT_ROLE_MAX_LENGTH, PHONE_MAX_LENGTH, EMAIL_MAX_LENGTH = 80, 30, 254


def fold_for_search(text):
    """Return text lower-cased without diacritics, so that "tan phu" finds "Tân Phú"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (
        sa.CheckConstraint(sa.column("level").in_(LEVELS), name="known_level"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # A subtree's last position is a seek here (units.hierarchy.last_position); lookups by parent use it too.
        sa.Index("ix_units_parent_position", "parent_id", "position"),
        # Lists and counts walk a range of positions reading the unit's level and extension (its status) from
        # the index alone, not from the unit's wide row; and the id they join the response on, which SQLite's
        # indexes hold anyway (the rowid) and PostgreSQL's only when told.
        sa.Index("ix_units_position_status", "position", "level", "deadline_extended_to", postgresql_include=["id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The code the committees use for the unit, as in the imported file.
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    #: The unit's name in Vietnamese, as imported.
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    #: The name folded by fold_for_search, kept up to date whenever the name is set. Text, not a length like
    #: the name's: folding can make a name many times longer ("ﬃ" gives "ffi", "ﷺ" eighteen letters).
    search_name: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: One of schema.LEVELS.
    level: Mapped[str] = mapped_column(sa.String(32))
    #: The committee directly above; None only for the province.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    #: How the unit signs its documents when that is not what its level and name imply ("ĐẢNG ỦY XÃ EA KAR"
    #: for "Đảng bộ xã Ea Kar" is implied); None means derived (documents/issuers.py).
    issuing_name: Mapped[str | None] = mapped_column(sa.String(NAME_MAX_LENGTH))
    #: The body's code in its document numbers (CB, ĐU, HU, ThU, TU ...); None means derived.
    issuing_code: Mapped[str | None] = mapped_column(sa.String(ISSUING_CODE_MAX_LENGTH))
    #: The place name its documents are dated at ("Ea Kar, ngày ..."); None means derived.
    place: Mapped[str | None] = mapped_column(sa.String(NAME_MAX_LENGTH))
    #: Whether it has a standing committee, which signs for it ("T/M BAN THƯỜNG VỤ"); None means derived.
    has_standing_committee: Mapped[bool | None]
    #: The person a committee calls or writes to about the unit's report, and their role (Bí thư, Phó Bí thư),
    #: each as typed; None where unknown. Personal data: shown only to accounts whose scope holds the unit.
    contact_name: Mapped[str | None] = mapped_column(sa.String(NAME_MAX_LENGTH))
    contact_role: Mapped[str | None] = mapped_column(sa.String(CONTACT_ROLE_MAX_LENGTH))
    #: As typed ("0912 345 678", "+84 912 345 678"), checked by units.contacts.phone_problem.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(PHONE_MAX_LENGTH))
    contact_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX_LENGTH))
    #: The unit's place in hierarchy order among the reporting units (1 first), kept by
    #: units.hierarchy.renumber_units whenever units are added or moved; None for the province.
    position: Mapped[int | None]
    #: A later last day granted to this unit by a manager; None means its level's deadline.
    deadline_extended_to: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: The secret part of the unit's link; whoever has it may fill in the unit's report. Also printed, in
    #: groups, as the code to type (link_tokens.py); the links made before that are 43 characters long.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_link_token)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])
    response: Mapped["Response | None"] = relationship(back_populates="unit")  # noqa: F821

    @validates("name")
    def _fold_name(self, _key, name):
        self.search_name = fold_for_search(name)
        return name

    def __repr__(self):
        return f"<Unit {self.code} {self.level}>"
