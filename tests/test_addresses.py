"""A control character in a page address gets a clear 400 before any view runs: PostgreSQL refuses a NUL in a
query, and no code, search term or token holds one."""

import pytest
from pages import text_of

#: Control characters a pasted or altered address can carry.
CONTROLS = ("\x00", "\x01", "\x1b", "\x7f", "\n", "\t")
#: Addresses that carry text to the database: a search term, a unit directly under the scope, a unit's code.
ADDRESSES = ["/admin/missing?search=Tân{}Lợi", "/admin/units?search=BMT{}", "/admin/units.xlsx?search={}",
             "/admin/missing?child=TU.KP{}", "/admin/units?child=TU.KP{}&status=missing",
             "/admin/invitations?child={}TU.KP", "/admin/units/KP.EK.01{}", "/admin/units/KP{}/invitation",
             "/admin/units/KP.EK.01{}/rotate-link", "/admin/missing?{}=1"]
REFUSED = "Địa chỉ của trang có ký tự điều khiển U+{:04X}, không trang nào nhận ký tự này."


def get_whole(client, url):
    """Request a page or a download, read it whole and close it."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_control_character_in_an_admin_address_gets_a_clear_400(client, auth, accounts, address):
    auth.sign_in("btc")
    for control in CONTROLS:
        page = get_whole(client, address.format(f"%{ord(control):02X}"))
        assert (page.status_code, page.mimetype) == (400, "text/html"), (control, page.status_code)
        assert REFUSED.format(ord(control)) in text_of(page.text)
    assert get_whole(client, address.format("")).status_code in (200, 404), "the same address without it answers"


def test_a_control_character_in_a_survey_link_gets_the_same_400(client, units):
    token = units["BMT.TL.01"].token
    for control in CONTROLS:
        page = client.get(f"/s/{token}%{ord(control):02X}")
        assert page.status_code == 400 and REFUSED.format(ord(control)) in text_of(page.text)
    assert client.get(f"/s/{token}").status_code == 200
