"""Text that comes from people: the control characters the service never stores, wherever text comes in.

PostgreSQL refuses a NUL in any text, the XML inside a workbook refuses the other C0 controls, and none of
them is anything a person meant to type. The bidirectional controls are invisible too, and they reorder
what a reader sees ("‮" turns "50" into "05" on screen, in Word and in Excel): Vietnamese never needs
them. A long answer keeps its line breaks and tabs; a one-line text (a unit's name or code, a user name, a
page address) has no use for them either.
"""

import re

#: The bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the
#: left-to-right and right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
#: C0 controls except tab, line feed and carriage return; DEL; the bidirectional controls.
CONTROL_CHARACTERS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{BIDI_CONTROLS}]")
#: What a document or a workbook must not hold: what XML 1.0 cannot hold (C0 controls but tab and line ends,
#: non-characters, lone surrogates), and the bidirectional controls, for a text stored before they were dropped.
XML_UNSTORABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff{BIDI_CONTROLS}]")
#: Every C0 control, DEL and the bidirectional controls: what a one-line text must not hold.
LINE_CONTROL_CHARACTERS = re.compile(f"[\x00-\x1f\x7f{BIDI_CONTROLS}]")
#: The bidirectional controls alone, for pages showing a text stored before they were dropped.
BIDI_CONTROL = re.compile(f"[{BIDI_CONTROLS}]")


def first_control_character(text):
    """Return the first control character of a one-line text as people can read it ("U+0000"), or None."""
    found = LINE_CONTROL_CHARACTERS.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def without_control_characters(text):
    """Return a long text without the control characters it may not hold, keeping its line breaks and tabs."""
    return CONTROL_CHARACTERS.sub("", text)


def without_xml_unstorable(text):
    """Return text without the characters an XML file (a workbook, a Word document) cannot hold, nor the
    bidirectional controls that would reorder it there."""
    return XML_UNSTORABLE.sub("", text)


def without_bidi_controls(text):
    """Return text without the bidirectional controls, as the same kind of string (markup stays markup:
    taking characters out of escaped text cannot make a tag)."""
    return type(text)(BIDI_CONTROL.sub("", text)) if BIDI_CONTROL.search(text) else text


#: Starts that Excel (or LibreOffice) would read as a formula or a command when the cell is edited or the
#: CSV file opened (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "{")


def looks_like_formula(text):
    return text.startswith(FORMULA_STARTS)
