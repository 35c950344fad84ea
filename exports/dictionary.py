"""The question dictionary: what each column and comment row means, and the questions since retired."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from schema import level_label

from .formats import start_table, write_text_row

COLUMNS = ((_l("Code"), 24), (_l("Section"), 9), (_l("Question"), 60), (_l("Type"), 16), (_l("Rules"), 60),
           (_l("Config version"), 14))


def describe_rules(question):
    """Return the question's rules in words: required, bounds, length, levels, condition, choices."""
    rules = []
    if question.required:
        rules.append(_("required"))
    if question.min is not None or question.max is not None:
        rules.append(_("from %(min)s to %(max)s", min=question.min, max=question.max))
    if question.max_length:
        rules.append(_("at most %(limit)s characters", limit=question.max_length))
    rules.append(_("levels: %(levels)s", levels=", ".join(str(level_label(level)) for level in question.levels)))
    if question.show_if:
        rules.append(_("only if %(question)s is %(values)s", question=question.show_if.question,
                       values=" / ".join(str(value) for value in question.show_if.values)))
    if question.choices:
        rules.append(_("choices: %(choices)s", choices="; ".join(f"{c.value} = {c.label}" for c in question.choices)))
    if question.other:
        rules.append(_("with “other, please specify”"))
    return "\n".join(rules)


def write_dictionary_sheet(sheet, formats, survey, retired_ids):
    widths = [width for _header, width in COLUMNS]
    start_table(sheet, formats, [header for header, _width in COLUMNS], widths, freeze_columns=1)
    row = 1
    for question in survey.outline_questions():
        write_text_row(sheet, formats, row, (question.id, question.section_number, str(question.label), question.type,
                                             describe_rules(question), survey.version), widths)
        row += 1
    for question_id in sorted(retired_ids):
        formats.text.write(sheet, row, 0, question_id)
        formats.text.write(sheet, row, 2, _("Retired: answered under an earlier version of the config, no longer "
                                            "asked. Its answers are kept in the marked columns."), wrap=True)
        row += 1
