"""The stylesheets and scripts under addresses that name their content, kept by browsers for a year; and a
unit's pages compressed by the service itself, with no proxy in front (views/assets.py, views/compression.py)."""

import gzip
import re
from pathlib import Path

import brotli
import pytest
from backports import zstd

from views.assets import MINIFIERS, minified_assets

ASSET_LINK = re.compile(r'(?:href|src)="(/assets/([a-z]+)\.([0-9a-f]{10})\.(css|js))"')
#: What differs between two loads of the same page: its signed state and its form's one-time id.
ONE_TIME = re.compile(r'(value|data-form-id)="[^"]*"')
DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}


def linked_assets(page_html):
    """Return {name: address} of the assets a page links, in its order."""
    return {f"{stem}.{suffix}": address for address, stem, _digest, suffix in ASSET_LINK.findall(page_html)}


def test_a_units_page_links_only_its_own_stylesheet_and_script_for_a_year(app, client, units):
    page = client.get(f"/s/{units['KP.EK.01'].token}").text
    linked = linked_assets(page)
    assert list(linked) == ["site.css", "survey.js"], "no committee's nor guide's asset on a unit's phone"
    for name, address in linked.items():
        response = client.get(address)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.mimetype == ("text/css" if name.endswith(".css") else "text/javascript")
        source = Path(app.static_folder, name).read_text(encoding="utf-8")
        assert response.data.decode() == MINIFIERS[name](source), "minified"
        assert len(response.data) < len(source.encode())


def test_the_committees_and_the_guides_pages_add_theirs(client, auth, accounts):
    assert list(linked_assets(client.get("/guide/unit").text)) == ["site.css", "pages.css", "guide.css", "survey.js"]
    auth.sign_in("btc")
    assert list(linked_assets(client.get("/admin/").text)) == ["site.css", "pages.css", "admin.css", "survey.js",
                                                               "admin.js"]


@pytest.mark.parametrize("address", ["/assets/site.0000000000.css", "/assets/site.css", "/assets/../app.py",
                                     "/assets/survey.js.map", "/assets/%2e%2e%2fconfig.py"])
def test_an_address_that_names_no_asset_is_a_404(client, address):
    assert client.get(address).status_code == 404


def test_an_edited_asset_gets_a_new_address(app, tmp_path):
    shipped = {asset.name: asset.address_name for asset in minified_assets(app.static_folder)}
    for name in MINIFIERS:
        (tmp_path / name).write_text(Path(app.static_folder, name).read_text(encoding="utf-8"), encoding="utf-8")
    with (tmp_path / "site.css").open("a", encoding="utf-8") as edited:
        edited.write("main { color: #000; }\n")
    after = {asset.name: asset.address_name for asset in minified_assets(tmp_path)}
    assert after["site.css"] != shipped["site.css"]
    assert {name: address for name, address in after.items() if name != "site.css"} == \
        {name: address for name, address in shipped.items() if name != "site.css"}


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_the_service_compresses_a_units_page_and_its_assets(client, units, encoding):
    address = f"/s/{units['KP.EK.01'].token}"
    plain = client.get(address)
    assert "Content-Encoding" not in plain.headers, "a browser that asks for none gets none"
    page = plain.text
    for path in (address, *linked_assets(page).values()):
        response = client.get(path, headers={"Accept-Encoding": f"{encoding}, identity"})
        assert response.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in response.headers["Vary"]
        body = DECODERS[encoding](response.data)
        assert len(response.data) < len(body) / 2, path
        if path == address:
            assert ONE_TIME.sub("", body.decode()) == ONE_TIME.sub("", page), "the same page but its one-time ids"


def test_the_committees_pages_are_never_compressed(client, auth, accounts):
    """A page with a CSRF token beside text from the request (a search) is not compressed (BREACH)."""
    auth.sign_in("btc")
    response = client.get("/admin/units?search=abc", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
