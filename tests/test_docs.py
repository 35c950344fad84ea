"""The README and docs/: every relative link leads to a file of the project, every anchor to a heading of its
file, and every page of docs/ is reachable from the README."""

import re

import pytest

from config import ROOT

pytestmark = pytest.mark.once

PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)|<img src=\"([^\"]+)\"")


def links_of(page):
    return [target or picture for target, picture in LINK.findall(page.read_text(encoding="utf-8"))]


def anchors_of(page):
    """Return the anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as dashes."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_a_heading(page):
    for link in links_of(page):
        if re.match(r"[a-z]+:", link):
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.is_relative_to(ROOT) and target.exists(), f"{link} in {page.name}"
        assert not anchor or anchor in anchors_of(target), f"{link} in {page.name}: no such heading"


def test_every_page_of_docs_is_linked_from_the_readme():
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in links_of(ROOT / "README.md")}
    assert set((ROOT / "docs").glob("*.md")) <= linked
