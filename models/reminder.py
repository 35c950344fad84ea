"""The reminders e-mailed to units that have not submitted, and the lists of overdue units sent to the
committees above them (reports/reminders.py)."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import clock

from .base import UTCDateTime, db
from .unit import EMAIL_MAX_LENGTH

#: The step of a list of overdue units sent to the committee above; a unit's own steps are its days before.
OVERDUE_STEP = "overdue"


class Reminder(db.Model):
    """One e-mail sent. The database refuses a second row for the same unit, step and last day: two runs at
    once (the command and a button, two managers) cannot both send it, and a new last day starts afresh."""

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("unit_id", "step", "last_day", name="one_reminder_per_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unit the e-mail went to: the unit reminded, or for a list of overdue units the committee above.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: The days before the last day ("7", "3", "1"), or OVERDUE_STEP.
    step: Mapped[str] = mapped_column(sa.String(16))
    #: The last day the e-mail was about: a unit's own (its extension, its correction's), or the overdue units'.
    last_day: Mapped[dt.date] = mapped_column(sa.Date)
    #: The address the e-mail went to, as it was then.
    recipient: Mapped[str] = mapped_column(sa.String(EMAIL_MAX_LENGTH))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    #: Who pressed the button; None for the command (flask reminders send).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: How many units the e-mail named: 1 for a unit's reminder, the overdue units for a list.
    units: Mapped[int] = mapped_column(default=1)

    def __repr__(self):
        return f"<Reminder {self.step} for {self.last_day} to unit {self.unit_id}>"
