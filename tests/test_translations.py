"""Every interface text has its Vietnamese translation, with the same placeholders."""

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
CATALOGUE = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po"
TEMPLATE = TRANSLATIONS / "messages.pot"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_catalogue(path):
    with path.open("rb") as file:
        return read_po(file)


def test_every_message_is_translated_into_vietnamese_with_its_placeholders():
    catalogue = read_catalogue(CATALOGUE)
    extracted = {message.id for message in read_catalogue(TEMPLATE) if message.id}
    assert extracted, "messages.pot lists the interface texts"
    assert sorted(map(str, extracted - {message.id for message in catalogue if message.id})) == [], \
        "in messages.pot but not in the Vietnamese catalogue: run make extract-messages"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            problems.append(f"untranslated: {ids[0]!r}")
        elif set(PLACEHOLDER.findall(ids[-1])) != set(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {ids[0]!r}")
    assert problems == []


def test_uy_is_written_one_way_in_pages_and_catalogues():
    """Pages and catalogues write "ủy" (Tỉnh ủy, cấp ủy) as the survey config does, never "uỷ"."""
    files = [*ROOT.glob("templates/**/*.html"), *TRANSLATIONS.glob("*/LC_MESSAGES/*.po"), TEMPLATE]
    assert len(files) > 5
    old_spelling = [str(path.relative_to(ROOT)) for path in files
                    if "uỷ" in unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).lower()]
    assert old_spelling == []
