"""Reading what the units wrote, item by item ("Đọc ý kiến"), and the excerpts a committee chooses from it."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consolidation.answer_texts import narrative_questions
from consolidation.answered import items_answered
from consolidation.excerpts import ExcerptRefused, change_note, excerpt_of, excerpts_of, move, pick, remove
from consolidation.reading import QueryError, Reading, parse_query, search
from consolidation.sentences import sentences
from consolidation.statistics import LEVEL_GROUPS
from consolidation.summaries import summary_for_page
from schema.store import current_survey
from units.links import child_units

from .auth import bp, manager_required, sign_in_required, unit_in_scope_or_404

#: Hits per page of the reading page.
HITS_PER_PAGE = 30
#: The furthest page asked for that is read as a number (a longer one is the last page).
PAGE_LIMIT = 10**6
#: The most of a query the page keeps (to show it again and in its forms' way back): longer ones are refused
#: by parse_query anyway, and each form of the page would otherwise repeat all of it.
QUERY_KEPT = 1000


@bp.get("/reading")
@sign_in_required
def reading_index():
    """The narrative items of the outline, each with how many units of the scope answered it."""
    questions = narrative_questions(current_survey())
    counts = items_answered(g.user.scope, questions)
    return render_template("admin/reading_index.html", questions=questions, counts=counts)


def narrative_question_or_404(question_id):
    """Return the outline's narrative question with this id, else answer 404."""
    for question in narrative_questions(current_survey()):
        if question.id == question_id:
            return question
    abort(404)


@dataclass(frozen=True)
class ReadingRequest:
    """The reading page's query string, each value checked: what a link or the form may carry."""

    q: str = ""
    group: str = ""
    child: str = ""
    drafts: bool = False

    @classmethod
    def from_args(cls, args, children):
        group = args.get("group", "")
        child = args.get("child", "")
        return cls(q=args.get("q", "")[:QUERY_KEPT], group=group if group in LEVEL_GROUPS else "",
                   child=child if child in children else "", drafts=args.get("drafts") == "1")

    def values(self, **changes):
        """The values for a link to the page with these filters (and `changes`), leaving out empty ones."""
        values = {"q": self.q, "group": self.group, "child": self.child, "drafts": "1" if self.drafts else ""}
        values.update(changes)
        return {key: value for key, value in values.items() if value}


@bp.get("/reading/<question_id>")
@sign_in_required
def reading_item(question_id):
    """One item: its representative sentences, key phrases and copies, the committee's chosen excerpts,
    and the answers searched and filtered, a page at a time."""
    question = narrative_question_or_404(question_id)
    scope = g.user.scope
    children = dict(child_units(scope))
    asked = ReadingRequest.from_args(request.args, children)
    if request.args.get("child") and not asked.child:
        flash(_("That unit is not directly under %(scope)s: all units are shown.", scope=scope.name), "warning")
    reading = Reading(question_id=question.id, scope=scope, drafts=asked.drafts, group=asked.group or None,
                      child_code=asked.child or None)
    query, query_error = parsed_query(asked.q)
    found = None if query_error else searched(reading, query, requested_page())
    hits = found.hits if found else []
    back = url_for("admin.reading_item", question_id=question.id, **asked.values(page=found.page if found else ""))
    shown = summary_for_page(reading, question)
    return render_template("admin/reading.html", question=question, asked=asked, found=found,
                           query_error=query_error, summary=shown.summary, summary_current=shown.current,
                           children=children,
                           excerpts=excerpts_of(scope, question.id), groups=LEVEL_GROUPS, back=back,
                           pickable=pickable_passages((hit.text_id, (hit.text_id, hit.body)) for hit in hits))


@dataclass(frozen=True)
class PickableText:
    """An answer a manager may pick a run of sentences of."""

    text_id: int
    sentences: list


def pickable_passages(texts):
    """Return {key: PickableText} of the (key, (text id, body)) pairs whose text holds a sentence."""
    found = {key: PickableText(text_id, sentences(body)) for key, (text_id, body) in texts}
    return {key: text for key, text in found.items() if text.sentences}


def parsed_query(text):
    """Return (query or None, error message or None) for the search box's text."""
    if not text.strip():
        return None, None
    try:
        query = parse_query(text)
    except QueryError as error:
        return None, str(error)
    return (query, None) if query else (None, _("Type a word or a phrase to search: punctuation alone finds nothing."))


def requested_page():
    page = request.args.get("page", 1, int)
    return min(max(page, 1), PAGE_LIMIT)


def searched(reading, query, page):
    """Search, showing the last page when asked for one past it."""
    found = search(reading, query, page=page, per_page=HITS_PER_PAGE)
    if found.pages and page > found.pages:
        found = search(reading, query, page=found.pages, per_page=HITS_PER_PAGE)
    return found


# --- Chosen excerpts: managers change them; every change goes back to the page it was made on. ---


def back_or(default):
    """Return the page the form came from (its `back` field: a path of the committees' side), else default."""
    back = request.form.get("back", "")
    parts = urlsplit(back)
    if back.startswith("/admin/") and not (parts.scheme or parts.netloc) and "\\" not in back:
        return back
    return default


def posted_int(name):
    """Return a posted whole number, or None if it is missing or not one."""
    value = request.form.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@bp.post("/reading/<question_id>/excerpts")
@manager_required
def pick_excerpt(question_id):
    """Keep a passage of a unit's answer as one of the item's excerpts: the offsets come from the form, the
    text from the database."""
    question = narrative_question_or_404(question_id)
    back = back_or(url_for("admin.reading_item", question_id=question.id))
    code = request.form.get("unit", "")
    if not code:  # a form without its hidden fields: not from our pages
        flash(_("The passage does not lie within the answer; reload the page and pick again."), "error")
        return redirect(back)
    unit = unit_in_scope_or_404(code)
    try:
        pick(g.user.scope, question.id, unit, posted_int("text_id"), posted_int("start"), posted_int("end"),
             note=request.form.get("note"), chosen_by=g.user)
    except ExcerptRefused as refused:
        flash(str(refused), "error")
        return redirect(back)
    flash(_("The passage was added to the chosen excerpts of this item."), "success")
    return redirect(back)


def excerpt_or_gone(excerpt_id):
    """Return the committee's excerpt, or None after telling that it is gone (another manager removed it)."""
    excerpt = excerpt_of(g.user.scope, excerpt_id)
    if excerpt is None:
        flash(_("This excerpt is no longer among the chosen ones: someone removed it."), "warning")
    return excerpt


def back_to_excerpts(question_id):
    """Go back to the page the form came from, at the excerpts; to the index when the excerpt was gone."""
    if question_id is None:
        return redirect(url_for("admin.reading_index"))
    return redirect(back_or(url_for("admin.reading_item", question_id=question_id)) + "#excerpts")


def question_of(excerpt):
    return None if excerpt is None else excerpt.question_id


@bp.post("/excerpts/<int:excerpt_id>/note")
@manager_required
def excerpt_note(excerpt_id):
    excerpt = excerpt_or_gone(excerpt_id)
    if excerpt is not None:
        try:
            change_note(g.user.scope, excerpt_id, request.form.get("note"))
        except ExcerptRefused as refused:
            flash(str(refused), "error")
    return back_to_excerpts(question_of(excerpt))


@bp.post("/excerpts/<int:excerpt_id>/move")
@manager_required
def move_excerpt(excerpt_id):
    """Move an excerpt one place up or down, or to the position typed."""
    excerpt = excerpt_or_gone(excerpt_id)
    if excerpt is not None:
        steps = {"up": -1, "down": 1}.get(request.form.get("direction"))
        position = excerpt.position + steps if steps else posted_int("position")
        if position is None:
            flash(_("Type the excerpt's new place as a number."), "error")
        else:
            move(g.user.scope, excerpt_id, position)
    return back_to_excerpts(question_of(excerpt))


@bp.post("/excerpts/<int:excerpt_id>/delete")
@manager_required
def remove_excerpt(excerpt_id):
    excerpt = excerpt_or_gone(excerpt_id)
    question_id = question_of(excerpt)
    if excerpt is not None:
        remove(g.user.scope, excerpt_id)
        flash(_("The excerpt was removed from the chosen ones."), "success")
    return back_to_excerpts(question_id)
