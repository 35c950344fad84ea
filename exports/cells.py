"""Writing what units typed into cells so that it stays text, whole and readable.

Spreadsheet formula injection: https://owasp.org/www-community/attacks/CSV_Injection. Every user
text is written with write_string (never interpreted), and one that starts like a formula also gets
a quote-prefix format, so that it stays text even after someone edits the cell in Excel.
"""

from plain_text import looks_like_formula, without_xml_unstorable

#: Excel's limit for one cell, in UTF-16 code units (an emoji counts two).
CELL_LIMIT = 32767


def clean_cell_text(text):
    """Return text without the characters a workbook cannot store."""
    return without_xml_unstorable(text)


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def split_for_cells(text, limit=CELL_LIMIT):
    """Cut text into pieces that each fit one cell, preferring to cut after a line or a space."""
    if len(text) <= limit // 2 or utf16_length(text) <= limit:
        return [text]
    pieces = []
    while text:
        end = _fitting_prefix_length(text, limit)
        if end < len(text):
            cut = max(text.rfind("\n", 0, end), text.rfind(" ", 0, end))
            end = cut + 1 if cut > end // 2 else end
        pieces.append(text[:end])
        text = text[end:]
    return pieces


def _fitting_prefix_length(text, limit):
    """Return how many characters from the start fit in `limit` UTF-16 units."""
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


#: Excel's tallest row, in points, and the height of one line of 10-point Arial.
MAX_ROW_HEIGHT, LINE_HEIGHT = 409, 12.75


def wrapped_height(cells):
    """Return the row height that shows whole the wrapped texts of a row, given as (text, column width).

    Excel fits a row to wrapped text when it opens a file, LibreOffice does not: the height is set."""
    return row_height(max((wrapped_lines(text, width) for text, width in cells), default=1))


def row_height(lines):
    """Return the height of a row `lines` lines tall, within Excel's tallest."""
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 3)


def wrapped_lines(text, width):
    """Return how many lines `text` takes wrapped in a column `width` characters wide."""
    # A column `width` characters wide holds that many digits of 10-point Arial, and fewer letters once
    # words wrap: counting 85% of it errs on the tall side.
    per_line = max(1, int(width * 0.85))
    if "\n" not in text:
        # Most cells (names, codes, labels): one paragraph, no list to build.
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(paragraph) // per_line)) for paragraph in text.split("\n"))


class TextCells:
    """Write user text to a worksheet with the right format: plain or wrapped, quote-prefixed if risky."""

    def __init__(self, workbook, base):
        self.plain = workbook.add_format({**base})
        self.plain_quoted = workbook.add_format({**base, "quote_prefix": True})
        self.wrapped = workbook.add_format({**base, "text_wrap": True})
        self.wrapped_quoted = workbook.add_format({**base, "text_wrap": True, "quote_prefix": True})
        #: The format of a text by (wrapped, risky).
        self.formats = {(False, False): self.plain, (False, True): self.plain_quoted,
                        (True, False): self.wrapped, (True, True): self.wrapped_quoted}

    def write(self, sheet, row, col, text, wrap=False):
        """Write `text` as a string cell; return the text actually written. An empty text leaves the cell
        empty: a column most rows leave blank (a part, a copy mark) costs nothing."""
        if not text:
            return ""
        text, cell_format = self.prepared(text, wrap)
        sheet.write_string(row, col, text, cell_format)
        return text

    def prepared(self, text, wrap=False):
        """Return a text as a cell stores it, and its format."""
        # A printable text holds none of what a cell cannot store: most texts (a line with no control
        # character) skip the search for them.
        if not text.isprintable():
            text = clean_cell_text(text)
        return text, self.formats[wrap, looks_like_formula(text)]
