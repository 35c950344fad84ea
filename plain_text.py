"""Text that comes from people: the control characters the service never stores, wherever text comes in.

PostgreSQL refuses a NUL in any text, the XML inside a workbook refuses the other C0 controls, and none of
them is anything a person meant to type. A long answer keeps its line breaks and tabs; a one-line text (a
unit's name or code, a user name, a page address) has no use for them either.
"""

import re

#: C0 controls except tab, line feed and carriage return; and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What XML 1.0 cannot hold (a workbook, a Word document): C0 controls but tab and line ends, non-characters,
#: lone surrogates.
XML_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Every C0 control and DEL: what a one-line text must not hold.
LINE_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def first_control_character(text):
    """Return the first control character of a one-line text as people can read it ("U+0000"), or None."""
    found = LINE_CONTROL_CHARACTERS.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def without_control_characters(text):
    """Return a long text without the control characters it may not hold, keeping its line breaks and tabs."""
    return CONTROL_CHARACTERS.sub("", text)


def without_xml_unstorable(text):
    """Return text without the characters an XML file (a workbook, a Word document) cannot hold."""
    return XML_UNSTORABLE.sub("", text)


#: Starts that Excel (or LibreOffice) would read as a formula or a command when the cell is edited or the
#: CSV file opened (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "{")


def looks_like_formula(text):
    return text.startswith(FORMULA_STARTS)
