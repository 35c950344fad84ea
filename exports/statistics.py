"""The statistics sheet: per question, for the whole scope and per district-level committee.

Numbers get count, min, mean and max; choices the count and share of each option. Native charts show
the mean of each percentage per district and the counts of each choice.
"""

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _

WHOLE = ""


@dataclass
class NumberStats:
    count: int = 0
    total: float = 0
    low: float | None = None
    high: float | None = None

    def add(self, value):
        self.count += 1
        self.total += value
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)

    @property
    def mean(self):
        return self.total / self.count if self.count else None


class Statistics:
    """Accumulate answers unit by unit; memory grows with districts and options, not with units."""

    def __init__(self, questions):
        self.numbers = [q for q in questions if q.kind.summary in ("numbers", "rates")]
        self.choices = [q for q in questions if q.kind.summary == "options"]
        self.number_stats = defaultdict(NumberStats)
        self.choice_counts = defaultdict(int)
        self.answered = defaultdict(int)
        self.districts = {}

    def add(self, record):
        groups = [WHOLE]
        if record.district_code:
            self.districts.setdefault(record.district_code, record.district_name)
            groups.append(record.district_code)
        for question in self.numbers:
            value = record.answers.get(question.id)
            if value is not None:
                for group in groups:
                    self.number_stats[(question.id, group)].add(value)
        for question in self.choices:
            value = record.answers.get(question.id)
            if value is None:
                continue
            chosen = value if isinstance(value, list) else [value]
            for group in groups:
                self.answered[(question.id, group)] += 1
                for option in chosen:
                    self.choice_counts[(question.id, group, option)] += 1


def write_statistics_sheet(workbook, sheet, formats, stats):
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 40, 13)
    groups = [(WHOLE, _("Whole scope")), *sorted(stats.districts.items())]
    row = 0
    for question in stats.numbers:
        row = _write_number_block(workbook, sheet, formats, stats, question, groups, row)
    for question in stats.choices:
        row = _write_choice_block(workbook, sheet, formats, stats, question, groups, row)


def _write_number_block(workbook, sheet, formats, stats, question, groups, row):
    sheet.write_string(row, 0, f"{question.id} — {question.label}", formats.title)
    headers = [_("Committee"), _("Answers"), _("Minimum"), _("Mean"), _("Maximum")]
    for col, header in enumerate(headers):
        sheet.write_string(row + 1, col, header, formats.header)
    rate = question.kind.summary == "rates"
    number_format, scale = (formats.percent, 100) if rate else (formats.decimal, 1)
    first = row + 2
    for offset, (code, name) in enumerate(groups):
        entry = stats.number_stats.get((question.id, code)) or NumberStats()
        formats.text.write(sheet, first + offset, 0, name or code)
        sheet.write_number(first + offset, 1, entry.count, formats.integer)
        for col, value in ((2, entry.low), (3, entry.mean), (4, entry.high)):
            if value is not None:
                sheet.write_number(first + offset, col, value / scale, number_format)
    end = first + len(groups)
    if rate and len(groups) > 1:
        _insert_chart(workbook, sheet, "column", f"{question.label}: {_('Mean')}",
                      first + 1, end - 1, 0, 3, row, 6)
        end = max(end, row + 16)
    return end + 1


def _write_choice_block(workbook, sheet, formats, stats, question, groups, row):
    sheet.write_string(row, 0, f"{question.id} — {question.label}", formats.title)
    sheet.write_string(row + 1, 0, _("Option"), formats.header)
    for index, (_code, name) in enumerate(groups):
        sheet.write_string(row + 1, 1 + 2 * index, f"{name}: {_('Units')}", formats.header)
        sheet.write_string(row + 1, 2 + 2 * index, f"{name}: {_('Share')}", formats.header)
    options = question.kind.options(question)
    first = row + 2
    for offset, (value, label) in enumerate(options):
        formats.text.write(sheet, first + offset, 0, str(label))
        for index, (code, _name) in enumerate(groups):
            count = stats.choice_counts.get((question.id, code, value), 0)
            answered = stats.answered.get((question.id, code), 0)
            sheet.write_number(first + offset, 1 + 2 * index, count, formats.integer)
            if answered:
                sheet.write_number(first + offset, 2 + 2 * index, count / answered, formats.percent)
    end = first + len(options)
    _insert_chart(workbook, sheet, "bar", str(question.label), first, end - 1, 0, 1, row, 4 + 2 * len(groups))
    return max(end, row + 16) + 1


def _insert_chart(workbook, sheet, kind, title, first_row, last_row, label_col, value_col, at_row, at_col):
    chart = workbook.add_chart({"type": kind})
    chart.add_series({
        "name": title,
        "categories": [sheet.name, first_row, label_col, last_row, label_col],
        "values": [sheet.name, first_row, value_col, last_row, value_col],
    })
    chart.set_title({"name": title, "name_font": {"size": 10}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 520, "height": 300})
    sheet.insert_chart(at_row, at_col, chart)
