"""Where a unit's report stands, in the words the committees use."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "not_opened": _l("Not opened"),
    "opened": _l("Opened, nothing saved"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "submitted_late": _l("Submitted late"),
    "overdue": _l("Overdue"),
}
SUBMITTED = ("submitted", "submitted_late")
#: The units still to chase: every status but the submitted ones.
MISSING = tuple(status for status in STATUS_LABELS if status not in SUBMITTED)

#: What a list of units can be filtered by: a group of statuses, or each status alone.
STATUS_FILTERS = {
    "missing": (_l("Not submitted yet (all)"), MISSING),
    "all_submitted": (_l("Submitted, on time or late (all)"), SUBMITTED),
    **{status: (label, (status,)) for status, label in STATUS_LABELS.items()},
}


def report_status(response, deadline, now):
    """Return one of STATUS_LABELS' keys for a unit's response (None if never opened)."""
    if response is not None and response.is_submitted:
        return "submitted_late" if response.submitted_late else "submitted"
    if now >= deadline:
        return "overdue"
    if response is None:
        return "not_opened"
    return "draft" if response.current_number is not None else "opened"
