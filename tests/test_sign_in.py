"""Signing in to the committees' side: limits on guessing that lock no one else out, the client's address
taken from a proxy only when the proxy is trusted, and sessions the server ends."""

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from pages import text_of

from accounts.users import FAILURE_WINDOW, FAILURES_KEPT_FOR, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from models import SignInAttempt, db

WRONG_PASSWORD = "sai-mat-khau-roi"
NEW_PASSWORD = "mat-khau-moi-that-dai"
#: How the sign-in page says until when sign-in is held: "Thử lại sau 17/05/2027 09:15."
RETRY_AT = re.compile(r"Thử lại sau (\d\d/\d\d/\d{4} \d\d:\d\d)\.")


def from_address(address, forwarded_for=None):
    """Return the test client's request options for a client at `address`, sending X-Forwarded-For if given."""
    request = {"environ_base": {"REMOTE_ADDR": address}}
    if forwarded_for:
        request["headers"] = {"X-Forwarded-For": forwarded_for}
    return request


def fail(auth, username, times=1, **request):
    for _ in range(times):
        assert auth.attempt_sign_in(username, WRONG_PASSWORD, **request).status_code == 401


def held(response):
    """Return the page's "try again after" time if sign-in was held, else None."""
    if response.status_code != 429:
        return None
    return RETRY_AT.search(text_of(response.text)).group(1)


def test_one_names_failures_never_lock_another_account_out_of_the_same_address(app, auth, accounts):
    fail(auth, "btc", MAX_FAILURES_PER_ACCOUNT)
    refused = auth.attempt_sign_in("btc")
    assert held(refused), "the right password waits too"
    assert "Quá nhiều lần đăng nhập sai với tên đăng nhập này" in text_of(refused.text)
    auth.for_client(app.test_client()).sign_in("krongpac")


#: How many wrong passwords arrive at once in the parallel tests: four times the account's limit.
AT_ONCE = 20
OFFICE = "198.51.100.7"


def parallel_guesses(app, auth, guesses):
    """Post the sign-in form once per (user name, address) from its own thread and client, all at the same
    moment, and return the status codes."""
    prepared = []
    for username, address in guesses:
        actions = auth.for_client(app.test_client())
        prepared.append((actions, username, from_address(address), actions.csrf_token(**from_address(address))))
    start, statuses = threading.Barrier(len(prepared)), []

    def guess(actions, username, request, token):
        start.wait()
        data = {"username": username, "password": WRONG_PASSWORD, "csrf_token": token}
        statuses.append(actions.client.post("/admin/sign-in", data=data, **request).status_code)

    threads = [threading.Thread(target=guess, args=arguments) for arguments in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def count_failures(app, **where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt).filter_by(**where))


def earlier_failures_from_the_office(app, clock, count):
    """Store `count` failures from the office, each with another user name, as if typed a minute ago."""
    with app.app_context():
        db.session.add_all(SignInAttempt(username=f"dong-nghiep-{number}", remote_addr=OFFICE,
                                         created_at=clock() - dt.timedelta(minutes=1)) for number in range(count))
        db.session.commit()


#: Who guesses at once: one account from one address, from many, a name no account has, and many names from
#: an address that is a few failures short of its own limit.
PARALLEL_CASES = {
    "one-address": lambda number: ("btc", OFFICE),
    "many-addresses": lambda number: ("btc", f"203.0.113.{number}"),
    "no-such-account": lambda number: ("khong-co-ai", OFFICE),
    "address-limit": lambda number: (f"nguoi-{number}", OFFICE),
}


@pytest.mark.parametrize("case", PARALLEL_CASES)
def test_wrong_passwords_at_once_get_no_more_tries_than_the_limit(app, auth, accounts, clock, case):
    if case == "address-limit":
        earlier_failures_from_the_office(app, clock, MAX_FAILURES_PER_ADDRESS - MAX_FAILURES_PER_ACCOUNT)
    statuses = parallel_guesses(app, auth, [PARALLEL_CASES[case](number) for number in range(AT_ONCE)])
    assert len(statuses) == AT_ONCE and set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) == MAX_FAILURES_PER_ACCOUNT, "as many evaluated as the limit, the rest refused"
    held_by = {"remote_addr": OFFICE} if case == "address-limit" else {"username": PARALLEL_CASES[case](0)[0]}
    expected = MAX_FAILURES_PER_ADDRESS if case == "address-limit" else MAX_FAILURES_PER_ACCOUNT
    assert count_failures(app, **held_by) == expected
    username, address = PARALLEL_CASES[case](AT_ONCE)
    assert held(auth.for_client(app.test_client()).attempt_sign_in(username, **from_address(address))), "held"


def test_colleagues_behind_one_address_are_not_held_by_each_others_typos(app, auth, accounts):
    office = from_address("198.51.100.7")
    for colleague in range(20):
        fail(auth, f"can-bo-{colleague}", MAX_FAILURES_PER_ACCOUNT - 1, **office)
    auth.for_client(app.test_client()).sign_in("krongpac", **office)


def test_one_address_trying_many_names_is_held_and_others_are_not(app, auth, accounts):
    office = from_address("198.51.100.7")
    for number in range(MAX_FAILURES_PER_ADDRESS):
        fail(auth, f"nguoi-{number}", **office)
    refused = auth.for_client(app.test_client()).attempt_sign_in("btc", **office)
    assert held(refused) and "Quá nhiều lần đăng nhập sai từ mạng này" in text_of(refused.text)
    auth.for_client(app.test_client()).sign_in("btc", **from_address("198.51.100.8"))


def test_without_a_trusted_proxy_a_clients_own_x_forwarded_for_is_ignored(app, auth, accounts):
    for number in range(MAX_FAILURES_PER_ADDRESS):
        fail(auth, f"nguoi-{number}", **from_address("198.51.100.7", forwarded_for=f"203.0.113.{number}"))
    fresh_name = auth.for_client(app.test_client()).attempt_sign_in(
        "krongpac", **from_address("198.51.100.7", forwarded_for="203.0.113.250"))
    assert held(fresh_name), "counted by the address that connected, whatever it claims"


def test_behind_a_trusted_proxy_each_client_counts_by_the_address_the_proxy_saw(make_app, auth, accounts):
    app = make_app(PROXY_HOPS=1)
    auth = auth.for_client(app.test_client())
    # The proxy (127.0.0.1) appends the address it saw to whatever the client sent.
    for number in range(MAX_FAILURES_PER_ADDRESS):
        fail(auth, f"nguoi-{number}", **from_address("127.0.0.1", forwarded_for=f"10.9.9.{number}, 203.0.113.5"))
    same_client = auth.for_client(app.test_client()).attempt_sign_in(
        "krongpac", **from_address("127.0.0.1", forwarded_for="203.0.113.5"))
    assert held(same_client)
    auth.for_client(app.test_client()).sign_in("krongpac", **from_address("127.0.0.1", forwarded_for="203.0.113.6"))


def test_failures_are_kept_for_a_while_then_dropped_by_a_later_one(app, auth, accounts, clock):
    fail(auth, "btc", **from_address("203.0.113.7"))
    clock.advance(hours=1)
    fail(auth, "btc", **from_address("203.0.113.8"))
    clock.moment += FAILURES_KEPT_FOR - dt.timedelta(minutes=30)
    fail(auth, "ai-do", **from_address("198.51.100.1"))
    with app.app_context():
        kept = db.session.scalars(sa.select(SignInAttempt.remote_addr).order_by(SignInAttempt.created_at)).all()
    assert kept == ["203.0.113.8", "198.51.100.1"], "the first failure, older than the time kept, is gone"


def test_a_held_account_opens_again_when_its_failures_leave_the_window(app, auth, accounts, clock):
    first_failure = clock()
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        fail(auth, "btc")
        clock.advance(minutes=1)
    refused = auth.attempt_sign_in("btc")
    opens_at = first_failure + FAILURE_WINDOW
    assert held(refused) == clock.survey.local(opens_at).strftime("%d/%m/%Y %H:%M")
    assert refused.headers["Retry-After"] == str(int((opens_at - clock()).total_seconds()))
    clock.advance(minutes=5)
    assert held(auth.attempt_sign_in("btc", WRONG_PASSWORD)), "a try while held is not counted"
    clock.moment = opens_at - dt.timedelta(seconds=1)
    assert held(auth.attempt_sign_in("btc"))
    clock.advance(seconds=1)
    auth.sign_in("btc")


# --- gunicorn and the app agree: gunicorn trusts no forwarded header, the app trusts PROXY_HOPS proxies. ---

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def gunicorn(tmp_path):
    """Start the real gunicorn with gunicorn.conf.py and the given environment; return its base URL."""
    started = []

    def start(**environment):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
               "GUNICORN_ACCESS_LOG": "/dev/null", "SECRET_KEY": "test-secret",
               "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}", **environment}
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                   "app:create_app()"]
        started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and started[-1].poll() is None:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/admin/", timeout=2).close()
                return url
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(("hops", "secure"), [("0", False), ("1", True)])
def test_gunicorn_believes_the_proxys_scheme_exactly_when_the_app_does(gunicorn, hops, secure):
    url = gunicorn(PROXY_HOPS=hops)
    request = urllib.request.Request(f"{url}/admin/?lang=vi", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie")
    assert cookies and all(("Secure" in cookie) == secure for cookie in cookies), cookies


# --- Sessions the server ends: a copy of the cookie is worth nothing once its session is over. ---

def copy_of_session(app, client):
    """Return another client holding a copy of `client`'s session cookie, as whoever copied it would."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def signed_in(client):
    return client.get("/admin/missing").status_code == 200


def sign_out(auth, runner):
    assert auth.sign_out().status_code == 302


def change_password(auth, runner):
    changed = runner.invoke(args=["users", "passwd", "krongpac"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert changed.exit_code == 0, changed.output
    assert "Các phiên đăng nhập đang mở của tài khoản đã kết thúc." in changed.output


def disable(auth, runner):
    assert runner.invoke(args=["users", "disable", "krongpac"]).exit_code == 0


@pytest.mark.parametrize("end", [sign_out, change_password, disable])
def test_a_copied_session_cookie_stops_working_when_its_session_ends(app, auth, accounts, runner, end):
    auth.sign_in("krongpac")
    copy = copy_of_session(app, auth.client)
    other_account = auth.for_client(app.test_client())
    other_account.sign_in("btc")
    assert signed_in(copy) and signed_in(auth.client)
    end(auth, runner)
    assert not signed_in(copy) and not signed_in(auth.client)
    assert signed_in(other_account.client), "another account's session goes on"


def test_after_a_password_change_the_new_password_signs_in_and_the_old_one_does_not(app, auth, accounts, runner):
    change_password(auth, runner)
    assert auth.attempt_sign_in("krongpac").status_code == 401
    auth.sign_in("krongpac", NEW_PASSWORD)
    assert signed_in(auth.client)


# --- Forms over HTTPS: no Referer needed, forms from other sites refused, a friendly page for both. ---

SITE = "https://tongket.example"
OVER_HTTPS = {"base_url": SITE}
#: The title of the page a CSRF failure shows.
PAGE_EXPIRED = "Trang đã hết hạn"


@pytest.mark.parametrize("headers", [{}, {"Origin": SITE}, {"Origin": "null"}, {"Referer": f"{SITE}/admin/"}],
                         ids=["nothing", "own-origin", "hidden-origin", "own-referer"])
def test_sign_in_over_https_needs_no_referer(app, auth, accounts, headers):
    signed = auth.sign_in("btc", **OVER_HTTPS, headers=headers)
    assert "Secure" in signed.headers["Set-Cookie"]
    assert auth.client.get(f"{SITE}/admin/missing").status_code == 200


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"},
                                     {"Origin": "http://tongket.example"}],
                         ids=["other-origin", "other-referer", "same-host-plain-http"])
def test_a_form_posted_from_another_site_is_refused_with_a_page_that_says_so(app, auth, accounts, headers):
    refused = auth.attempt_sign_in("btc", **OVER_HTTPS, headers=headers)
    assert refused.status_code == 400
    assert PAGE_EXPIRED in text_of(refused.text) and "từ trang khác" in text_of(refused.text)
    assert auth.client.get(f"{SITE}/admin/missing").status_code == 302, "not signed in"


def test_a_managers_form_from_another_site_changes_nothing(app, auth, accounts):
    auth.sign_in("btc", **OVER_HTTPS)
    token = auth.csrf_token(**OVER_HTTPS)
    forged = auth.client.post(f"{SITE}/admin/units/KP.EK.01/rotate-link", data={"csrf_token": token},
                              headers={"Origin": "https://evil.example"})
    assert forged.status_code == 400 and PAGE_EXPIRED in text_of(forged.text)
    assert app.test_client().get(f"/s/{accounts['KP.EK.01'].token}").status_code == 200, "the link still works"


@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["missing", "wrong"])
def test_a_stale_or_missing_csrf_token_shows_a_page_that_says_to_reload(client, auth, accounts, token):
    data = {"username": "btc", "password": auth.password} | ({"csrf_token": token} if token else {})
    refused = client.post("/admin/sign-in", data=data)
    assert refused.status_code == 400
    assert PAGE_EXPIRED in text_of(refused.text) and "tải lại trang" in text_of(refused.text)
