"""The statistics sheet: consolidation.statistics laid out per question and level group, with native charts
of the shares of each choice and of the mean of each rate, per level group.
"""

from flask_babel import gettext as _

from consolidation.statistics import LEVEL_GROUPS, NumberStats, groups_asked, share_text

from .cells import wrapped_height
from .formats import prepare_for_print

#: The columns' widths: labels, then per level group a choice's count, share and share as a report writes it
#: (the third is also a number's mean).
WIDTHS = (44, *(14, 14, 30) * len(LEVEL_GROUPS))


def write_statistics_sheet(workbook, sheet, formats, stats):
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    widest = max((3 * len(groups_asked(q)) for q in stats.choices), default=4)
    prepare_for_print(sheet, WIDTHS[:1 + max(widest, 4)], header_rows=0)
    row = 0
    for question in stats.numbers:
        row = _write_number_block(workbook, sheet, formats, stats, question, row)
    for question in stats.choices:
        row = _write_choice_block(workbook, sheet, formats, stats, question, row)


def _write_number_block(workbook, sheet, formats, stats, question, row):
    sheet.write_string(row, 0, f"{question.id} — {question.label}", formats.title)
    _write_headers(sheet, formats, row + 1, [_("Level"), _("Answers"), _("Minimum"), _("Mean"), _("Maximum")])
    rate = question.kind.summary == "rates"
    number_format, scale = (formats.percent, 100) if rate else (formats.decimal, 1)
    groups = groups_asked(question)
    first = row + 2
    for offset, group in enumerate(groups):
        entry = stats.number_stats.get((question.id, group)) or NumberStats()
        formats.text.write(sheet, first + offset, 0, str(LEVEL_GROUPS[group][1]))
        sheet.write_number(first + offset, 1, entry.count, formats.integer)
        for col, value in ((2, entry.low), (3, entry.mean), (4, entry.high)):
            if value is not None:
                sheet.write_number(first + offset, col, value / scale, number_format)
    end = first + len(groups)
    if rate:
        _insert_chart(workbook, sheet, "column", f"{question.label}: {_('Mean')}", (first, end - 1, 0, 3), (row, 6))
        end = max(end, row + 16)
    return end + 1


def _write_choice_block(workbook, sheet, formats, stats, question, row):
    sheet.write_string(row, 0, f"{question.id} — {question.label}", formats.title)
    groups = groups_asked(question)
    headers = [_("Option")]
    for group in groups:
        title = LEVEL_GROUPS[group][1]
        headers += [f"{title}: {header}" for header in (_("Units"), _("Share"), _("As a report writes it"))]
    _write_headers(sheet, formats, row + 1, headers)
    options = question.kind.options(question)
    first = row + 2
    for offset, (value, label) in enumerate(options):
        texts = [(str(label), 0)]
        for index, group in enumerate(groups):
            count = stats.choice_counts.get((question.id, group, value), 0)
            answered = stats.answered.get((question.id, group), 0)
            col = 1 + 3 * index
            sheet.write_number(first + offset, col, count, formats.integer)
            if answered:
                sheet.write_number(first + offset, col + 1, count / answered, formats.percent)
            texts.append((share_text(count, answered, group), col + 2))
        _write_wrapped(sheet, formats, first + offset, texts)
    end = first + len(options)
    _insert_chart(workbook, sheet, "bar", f"{question.label}: {LEVEL_GROUPS[groups[0]][1]}",
                  (first, end - 1, 0, 2), (row, 2 + 3 * len(groups)))
    return max(end, row + 16) + 1


def _write_headers(sheet, formats, row, headers):
    sheet.set_row(row, wrapped_height(zip(headers, WIDTHS, strict=False)))
    for col, header in enumerate(headers):
        sheet.write_string(row, col, header, formats.header)


def _write_wrapped(sheet, formats, row, texts):
    """Write (text, column) pairs of one row, each wrapped within its column, the row tall enough for them."""
    sheet.set_row(row, wrapped_height((text, WIDTHS[col]) for text, col in texts))
    for text, col in texts:
        formats.text.write(sheet, row, col, text, wrap=True)


def _insert_chart(workbook, sheet, kind, title, cells, at):
    """Chart one column of shares or rates (`cells`: first row, last row, label column, value column)."""
    first_row, last_row, label_col, value_col = cells
    chart = workbook.add_chart({"type": kind})
    chart.add_series({
        "name": title,
        "categories": [sheet.name, first_row, label_col, last_row, label_col],
        "values": [sheet.name, first_row, value_col, last_row, value_col],
    })
    chart.set_title({"name": title, "name_font": {"size": 10}})
    chart.set_legend({"none": True})
    # The value axis is horizontal in a bar chart and vertical in a column chart.
    value_axis = chart.set_x_axis if kind == "bar" else chart.set_y_axis
    value_axis({"num_format": "0%", "min": 0})
    chart.set_size({"width": 520, "height": 300})
    sheet.insert_chart(*at, chart)
