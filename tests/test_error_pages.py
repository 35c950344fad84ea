"""Every error a person can meet is the app's own page, in their language, saying what to do."""

import pytest
from pages import text_of
from werkzeug.test import encode_multipart

pytestmark = pytest.mark.once

#: What Werkzeug's own English error pages say, which nobody should see.
WERKZEUG_PAGES = ("You don't have the permission", "The method is not allowed", "Request Entity Too Large",
                  "Content Too Large")


def shows_own_page(response, title):
    """Check that the answer is the app's error page, in Vietnamese, titled `title`."""
    text = text_of(response.text)
    assert f"<h1>{title}</h1>" in response.text, text
    assert '<html lang="vi">' in response.text
    assert not any(phrase in text for phrase in WERKZEUG_PAGES), text
    return text


def test_a_viewer_asking_for_a_managers_action_is_told_why(client, auth, accounts):
    auth.sign_in("krongpac")
    refused = client.post("/admin/units/KP.EK.01/rotate-link", data={"csrf_token": auth.csrf_token()})
    assert refused.status_code == 403
    assert "chỉ cán bộ quản lý" in shows_own_page(refused, "Không được phép")


@pytest.mark.parametrize(("method", "url"), [("GET", "/admin/sign-out"), ("GET", "/admin/sign-in"),
                                             ("DELETE", "/admin/")])
def test_a_method_an_address_does_not_take_gets_the_apps_page_and_the_allowed_methods(client, method, url):
    refused = client.open(url, method=method)
    assert refused.status_code == 405
    shows_own_page(refused, "Không mở được theo cách này")
    allowed = {name.strip() for name in refused.headers["Allow"].split(",")}
    assert allowed and method not in allowed


def post_multipart(client, url, fields):
    """Post `fields` as multipart/form-data, the body encoded in memory (the test client would spool a
    large one to a temporary file that the refused request never closes)."""
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def survey_page(units):
    return f"/s/{units['KP.EK.01'].token}"


def sign_in_page(units):
    return "/admin/sign-in"


@pytest.mark.parametrize("url_of", [survey_page, sign_in_page])
def test_too_many_form_fields_are_not_called_too_much_text(client, units, url_of):
    fields = {f"field_{number}": "x" for number in range(1001)}
    refused = post_multipart(client, url_of(units), fields)
    assert refused.status_code == 413
    text = shows_own_page(refused, "Quá nhiều trường")
    assert "2 MB" not in text


@pytest.mark.parametrize("url_of", [survey_page, sign_in_page])
def test_a_multipart_body_over_the_size_limit_is_still_called_too_large(client, units, url_of):
    refused = post_multipart(client, url_of(units), {"field": "x" * (3 * 1024 * 1024)})
    assert refused.status_code == 413
    assert "2 MB" in shows_own_page(refused, "Nội dung quá dài")
