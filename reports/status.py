"""Where a unit's report stands, in the words the committees use."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "not_opened": _l("Not opened"),
    "opened": _l("Opened, nothing saved"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "submitted_late": _l("Submitted late"),
    "resubmitted": _l("Submitted again after return"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned for completion"),
    "overdue": _l("Overdue"),
}
#: The reports received: those the committee above has still to review, and those it accepted.
TO_REVIEW = ("submitted", "submitted_late", "resubmitted")
SUBMITTED = (*TO_REVIEW, "accepted")
#: The units still to chase: every status but the submitted ones (a returned report is not done).
MISSING = tuple(status for status in STATUS_LABELS if status not in SUBMITTED)

#: What a list of units can be filtered by: a group of statuses, or each status alone.
STATUS_FILTERS = {
    "missing": (_l("Not submitted yet (all)"), MISSING),
    "all_submitted": (_l("Submitted, on time or late (all)"), SUBMITTED),
    "to_review": (_l("Waiting for review (all)"), TO_REVIEW),
    **{status: (label, (status,)) for status, label in STATUS_LABELS.items()},
}


def status_filter_labels():
    """{filter: its label in this request's language}, for a list's choice of filter."""
    return {key: str(label) for key, (label, _statuses) in STATUS_FILTERS.items()}


def report_status(response, deadline, now):
    """Return one of STATUS_LABELS' keys for a unit's response (None if never opened)."""
    if response is not None and response.review in ("accepted", "returned"):
        return response.review
    if response is not None and response.is_submitted:
        if response.review == "resubmitted":
            return "resubmitted"
        return "submitted_late" if response.submitted_late else "submitted"
    if now >= deadline:
        return "overdue"
    if response is None:
        return "not_opened"
    return "draft" if response.current_number is not None else "opened"
