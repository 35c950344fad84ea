"""Reminders by e-mail, through a real SMTP server on a loopback port: a unit that has not submitted gets its own
link on the survey's reminder days, once per step and last day; the committee above gets the list of its overdue
units, without links; a failed send leaves nothing recorded and goes at the next run; the command and the
managers' button send only what is due, within the account's scope."""

import datetime as dt
import email
import email.policy
import re

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from answers import store, stored_cell_answers
from conftest import SHIPPED_CONFIG
from flask_babel import gettext as _
from pages import text_of
from served import free_port

from models import Action, Reminder, Unit, User, db
from reports.chasing import days_left_text
from reports.review import return_report
from schema import ConfigError, parse_survey
from schema.model import speaking

UNIT = "KP.EK.01"  # a cell under Đảng ủy xã Ea Kly (KP.EK), last day 10/04/2027
OTHER = "KP.EK.02"
COMMITTEE = "KP.EK"
ADDRESSES = {UNIT: "chibo.thon3@example.vn", OTHER: "chibo.krongbuk@example.vn", COMMITTEE: "dangUy.eakly@example.vn",
             "BMT.TL.01": "tdp1@example.vn"}
SENDER = "Ban Tổ chức Tỉnh ủy <btc@example.vn>"


class Inbox:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []
        #: Addresses the server refuses, as a mailbox that does not exist.
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        """Return (recipients, parsed message) of each message received, in order."""
        return [(envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default))
                for envelope in self.envelopes]

    def take(self):
        """Return the messages received so far, and forget them."""
        received = self.messages()
        self.envelopes.clear()
        return received


class MailServer:
    """A real SMTP server on a free loopback port, that can go down and come back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = MailServer()
    server.start()
    yield server
    server.stop()


def mail_settings(port):
    # Flask-Mail sends nothing when TESTING is set, unless told to: these tests read what a real server received.
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_DEFAULT_SENDER": SENDER,
            "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 5}


@pytest.fixture
def app(make_app, smtp):
    """The app of every test here (and of its units and accounts), configured to send through `smtp`."""
    return make_app(**mail_settings(smtp.port))


@pytest.fixture
def contacts(app, accounts):
    """Give the units of ADDRESSES their contact e-mail; return the units by code."""
    with app.app_context():
        for code, address in ADDRESSES.items():
            db.session.scalar(sa.select(Unit).filter_by(code=code)).contact_email = address
        db.session.commit()
    return accounts


def send(runner, *args):
    return runner.invoke(args=["reminders", "send", "--base-url", "https://tongket.example.vn", *args])


def sent_rows(app):
    """(unit code, step, last day, recipient, units, by an account) of every reminder recorded, oldest first."""
    with app.app_context():
        return db.session.execute(
            sa.select(Unit.code, Reminder.step, Reminder.last_day, Reminder.recipient, Reminder.units,
                      Reminder.user_id.is_not(None))
            .join(Unit, Unit.id == Reminder.unit_id).order_by(Reminder.id)).all()


def recorded_runs(app):
    with app.app_context():
        return db.session.execute(sa.select(Unit.code, Action.user_id, Action.details)
                                  .join(Unit, Unit.id == Action.unit_id).filter(Action.kind == "reminders")
                                  .order_by(Action.id)).all()


def link_of(units, code):
    return f"https://tongket.example.vn/s/{units[code].token}"


def expected_subject(app, days, last_day):
    """The subject as the service writes it in Vietnamese (the catalogue's wording, whatever it is)."""
    with app.test_request_context(), speaking("vi"):
        return _("Reminder to send the review report: %(left)s (last day %(day)s)", left=days_left_text(days),
                 day=last_day.strftime("%d/%m/%Y"))


def on(clock, day):
    clock.at(dt.date.fromisoformat(day))


def test_a_unit_not_submitted_gets_its_own_link_once_per_step(app, runner, smtp, clock, contacts):
    store(app, OTHER, stored_cell_answers())  # submitted: never reminded
    on(clock, "2027-04-07")  # 3 days before its last day
    result = send(runner)
    assert result.exit_code == 0, result.output
    received = smtp.inbox.take()
    assert sorted(recipients for recipients, _message in received) == [["chibo.thon3@example.vn"], ["tdp1@example.vn"]]
    [message] = [message for recipients, message in received if recipients == [ADDRESSES[UNIT]]]
    assert message["To"] == ADDRESSES[UNIT]
    assert message["Subject"] == expected_subject(app, 3, dt.date(2027, 4, 10))
    assert message["From"].addresses[0].display_name == "Ban Tổ chức Tỉnh ủy", "the accents arrive intact"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert link_of(contacts, UNIT) in body and "10/04/2027" in body
    assert "Chi bộ thôn 3" in body and "Đảng bộ xã Ea Kly" in body, "its name, and whom to ask"
    assert "Chỉ thị số 10-CT/TW" in body
    assert f"{UNIT} → {ADDRESSES[UNIT]}" in result.output
    assert (UNIT, "3", dt.date(2027, 4, 10), ADDRESSES[UNIT], 1, False) in sent_rows(app)
    assert OTHER not in {code for code, *_rest in sent_rows(app)}
    # Run again the same day, then the next day (2 days left: the step of 3 is sent already): nothing.
    again = send(runner)
    assert again.exit_code == 0 and "→" not in again.output and "08/04/2027" in again.output, "the next step's day"
    assert smtp.inbox.take() == []
    clock.advance(days=1)  # 2 days left: the step of 3 is sent already; Ea Kly's own 7 days before 15/04 is due
    assert send(runner).exit_code == 0
    assert [recipients for recipients, _message in smtp.inbox.take()] == [[ADDRESSES[COMMITTEE]]]
    assert [code for code, *_rest in sent_rows(app)].count(UNIT) == 1
    assert [(scope, by, details) for scope, by, details in recorded_runs(app)] == [
        ("TU", None, {"sent": 2, "failed": 0, "steps": {"3": 2}}),
        ("TU", None, {"sent": 1, "failed": 0, "steps": {"7": 1}})]


def test_a_missed_step_is_caught_up_once_with_the_latest_step_only(app, runner, smtp, clock, contacts):
    on(clock, "2027-04-02")  # 8 days left: nothing due yet
    assert send(runner).exit_code == 0 and smtp.inbox.take() == []
    on(clock, "2027-04-09")  # the runs of 7 and 3 days before were missed; 1 day left
    assert send(runner).exit_code == 0
    assert sorted(recipients[0] for recipients, _message in smtp.inbox.take()) == sorted(ADDRESSES.values())
    assert {code: step for code, step, *_rest in sent_rows(app)} == {UNIT: "1", OTHER: "1", "BMT.TL.01": "1",
                                                                      COMMITTEE: "7"}, "its last day is 15/04"
    on(clock, "2027-04-10")  # the last day: the step of 1 is sent already
    assert send(runner).exit_code == 0 and smtp.inbox.take() == []


def test_an_extension_starts_the_steps_afresh(app, runner, smtp, clock, contacts):
    on(clock, "2027-04-07")
    send(runner)
    smtp.inbox.take()
    with app.app_context():
        db.session.scalar(sa.select(Unit).filter_by(code=UNIT)).deadline_extended_to = dt.date(2027, 4, 30)
        db.session.commit()
    on(clock, "2027-04-27")
    assert send(runner).exit_code == 0
    [(_recipients, message)] = [sent for sent in smtp.inbox.take() if sent[0] == [ADDRESSES[UNIT]]]
    assert "30/04/2027" in message["Subject"] and link_of(contacts, UNIT) in message.get_content()
    assert [(step, day) for code, step, day, *_rest in sent_rows(app) if code == UNIT] == [
        ("3", dt.date(2027, 4, 10)), ("3", dt.date(2027, 4, 30))]


def test_a_returned_report_is_reminded_of_its_correction_last_day(app, runner, smtp, clock, contacts):
    store(app, UNIT, stored_cell_answers())
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=UNIT))
        return_report(unit, 1, db.session.scalar(sa.select(User).filter_by(username="btc")), "Bổ sung mục II.",
                      {}, dt.date(2027, 4, 18))
    on(clock, "2027-04-17")
    assert send(runner).exit_code == 0
    [message] = [message for recipients, message in smtp.inbox.take() if recipients == [ADDRESSES[UNIT]]]
    assert "18/04/2027" in message["Subject"]


def test_the_committee_above_gets_one_list_of_its_overdue_units_without_links(app, runner, smtp, clock, contacts):
    store(app, "KP.EK.02", stored_cell_answers())
    clock.after_last_day("chi_bo_truc_thuoc")  # 11/04/2027
    result = send(runner)
    assert result.exit_code == 0, result.output
    received = smtp.inbox.take()
    [message] = [message for recipients, message in received
                 if recipients == [ADDRESSES[COMMITTEE]] and "/s/" not in message.get_content()]
    body = message.get_content()
    assert f"{UNIT}  Chi bộ thôn 3" in body and OTHER not in body, "the overdue unit, not the one that submitted"
    assert "10/04/2027" in message["Subject"] and "10/04/2027" in body
    assert "/s/" not in body and contacts[UNIT].token not in body, "no unit's link"
    assert "https://tongket.example.vn/admin/missing" in body
    assert [ADDRESSES[UNIT]] not in [sent[0] for sent in received], "a unit past its last day gets no reminder"
    assert (COMMITTEE, "overdue", dt.date(2027, 4, 10), ADDRESSES[COMMITTEE], 1, False) in sent_rows(app)
    clock.advance(days=1)
    assert send(runner).exit_code == 0
    assert [message for _recipients, message in smtp.inbox.take() if "/s/" not in message.get_content()] == [], \
        "one list per committee and last day"


def test_units_due_without_an_e_mail_are_named_to_be_called(app, runner, smtp, clock, contacts):
    on(clock, "2027-04-12")  # 3 days before the grassroots committees' last day
    result = send(runner)
    assert result.exit_code == 0
    assert "KP.PA  Đảng bộ thị trấn Phước An" in result.output and "KP.EK → " in result.output
    dry = send(runner, "--dry-run")
    assert "KP.PA  Đảng bộ thị trấn Phước An" in dry.output and "→" not in dry.output, "sent already"


def test_a_dry_run_lists_without_sending(app, runner, smtp, clock, contacts):
    on(clock, "2027-04-07")
    result = send(runner, "--dry-run")
    assert result.exit_code == 0 and f"{UNIT} → {ADDRESSES[UNIT]}" in result.output
    assert smtp.inbox.take() == [] and sent_rows(app) == [] and recorded_runs(app) == []


def test_without_a_mail_server_nothing_is_sent_nor_recorded(make_app, clock, contacts, auth):
    unconfigured = make_app()
    on(clock, "2027-04-07")
    result = unconfigured.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 1 and "MAIL_SERVER" in result.output
    signed_in = auth.for_client(unconfigured.test_client())
    signed_in.sign_in("btc")
    assert "MAIL_SERVER" in signed_in.client.get("/admin/missing").text
    pressed = signed_in.client.post("/admin/reminders", data={"csrf_token": signed_in.csrf_token()},
                                    follow_redirects=True)
    assert pressed.request.path == "/admin/missing" and "MAIL_SERVER" in text_of(pressed.text)
    assert sent_rows(unconfigured) == [] and recorded_runs(unconfigured) == []


def test_when_the_mail_server_is_down_nothing_is_recorded_and_the_next_run_sends(app, runner, smtp, clock,
                                                                                  contacts):
    on(clock, "2027-04-07")
    smtp.stop()
    down = send(runner)
    assert down.exit_code == 1 and f"{UNIT} → {ADDRESSES[UNIT]}" in down.output
    assert sent_rows(app) == [] and recorded_runs(app) == []
    smtp.start()
    back = send(runner)
    assert back.exit_code == 0, back.output
    assert [ADDRESSES[UNIT]] in [recipients for recipients, _message in smtp.inbox.take()]
    assert [details["failed"] for _scope, _by, details in recorded_runs(app)] == [0]


def press(signed_in):
    return signed_in.client.post("/admin/reminders", data={"csrf_token": signed_in.csrf_token()})


def test_a_manager_presses_the_button_then_again_and_is_told_nothing_is_due(app, auth, smtp, clock, contacts):
    on(clock, "2027-04-07")
    manager = auth
    manager.sign_in("btc")
    page = manager.client.get("/admin/missing").text
    assert 'action="/admin/reminders"' in page and "7, 3" in text_of(page)
    pressed = press(manager)
    assert (pressed.status_code, pressed.headers["Location"]) == (302, "/admin/missing")
    told = text_of(manager.client.get("/admin/missing").text)
    assert f"Chi bộ thôn 3 ({ADDRESSES[UNIT]})" in told
    assert sorted(recipients[0] for recipients, _message in smtp.inbox.take()) == sorted(
        ADDRESSES[code] for code in (UNIT, OTHER, "BMT.TL.01"))
    assert all(by for *_rest, by in sent_rows(app)), "the account that pressed"
    press(manager)
    again = text_of(manager.client.get("/admin/missing").text)
    assert smtp.inbox.take() == [] and "@example.vn)" not in again
    assert "07/04/2027" in again and "08/04/2027" in again, "when they went; when the next fall due (Ea Kly's 7 days)"
    [(scope, by, details)] = recorded_runs(app)
    assert scope == "TU" and by is not None and details["sent"] == 3
    record_page = text_of(manager.client.get("/admin/actions?kind=reminders").text)
    assert "Gửi thư nhắc" in record_page and "đã gửi 3 thư, 0 thư không gửi được" in record_page


def test_a_viewer_cannot_send_and_a_get_is_refused(app, auth, smtp, clock, contacts):
    on(clock, "2027-04-07")
    auth.sign_in("krongpac")
    page = auth.client.get("/admin/missing").text
    assert 'action="/admin/reminders"' not in page
    assert auth.client.post("/admin/reminders", data={"csrf_token": auth.csrf_token()}).status_code == 403
    assert auth.client.get("/admin/reminders").status_code == 405
    assert auth.client.post("/admin/reminders", data={"csrf_token": "forged"}).status_code == 400
    assert smtp.inbox.take() == [] and sent_rows(app) == []


def test_a_district_manager_sends_only_within_its_scope(app, auth, runner, smtp, clock, contacts):
    created = runner.invoke(args=["users", "create", "bmt", "--scope", "TU.BMT", "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0
    on(clock, "2027-04-07")
    auth.sign_in("bmt")
    assert press(auth).status_code == 302
    assert [recipients for recipients, _message in smtp.inbox.take()] == [[ADDRESSES["BMT.TL.01"]]]
    assert [code for code, *_rest in sent_rows(app)] == ["BMT.TL.01"]
    [(scope, _by, _details)] = recorded_runs(app)
    assert scope == "TU.BMT"


def test_a_scope_lists_its_own_units_overdue_but_never_itself_to_the_committee_above(app, auth, runner, smtp,
                                                                                      clock, contacts):
    created = runner.invoke(args=["users", "create", "eakly", "--scope", COMMITTEE, "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0
    with app.app_context():
        db.session.scalar(sa.select(Unit).filter_by(code="TU.KP")).contact_email = "huyenuy@example.vn"
        db.session.commit()
    clock.after_last_day("dang_bo_co_so")  # KP.EK and its cells are all overdue
    auth.sign_in("eakly")
    press(auth)
    received = smtp.inbox.take()
    assert [recipients for recipients, _message in received] == [[ADDRESSES[COMMITTEE]]]
    body = received[0][1].get_content()
    assert UNIT in body and OTHER in body and "KP.EK  " not in body


def test_the_schedule_reads_from_the_config(make_app, config_with, clock, runner, smtp, contacts):
    path = config_with((r"days_before: \[7, 3, 1\]", "days_before: [2]"), (r"overdue_digest: true",
                                                                           "overdue_digest: false"))
    changed = make_app(path, **mail_settings(smtp.port))
    on(clock, "2027-04-07")
    assert "→" not in changed.test_cli_runner().invoke(args=["reminders", "send"]).output
    on(clock, "2027-04-08")
    assert f"{UNIT} →" in changed.test_cli_runner().invoke(args=["reminders", "send"]).output
    clock.after_last_day("chi_bo_truc_thuoc")
    assert "→" not in changed.test_cli_runner().invoke(args=["reminders", "send"]).output, "no list"
    assert {step for _code, step, *_rest in sent_rows(changed)} == {"2"}


@pytest.mark.parametrize(("block", "where"), [
    ("reminders: [7, 3]", "reminders:"),
    ("reminders: {days_before: 7}", "reminders.days_before:"),
    ("reminders: {days_before: [7, 0]}", "reminders.days_before[1]:"),
    ("reminders: {days_before: [61]}", "reminders.days_before[0]:"),
    ("reminders: {days_before: [3, 3]}", "reminders.days_before[1]:"),
    ("reminders: {days_before: [2.5]}", "reminders.days_before[0]:"),
    ("reminders: {days_before: [true]}", "reminders.days_before[0]:"),
    ("reminders: {overdue_digest: 1}", "reminders.overdue_digest:"),
    ("reminders: {every: 2}", "reminders:"),
])
def test_a_bad_schedule_is_refused_where_it_is(block, where):
    text = re.sub(r"^reminders:\n(  .*\n)+", block + "\n", SHIPPED_CONFIG.read_text(encoding="utf-8"), flags=re.M)
    with pytest.raises(ConfigError) as refused:
        parse_survey(text.encode())
    assert [problem for problem in refused.value.problems if problem.startswith(where)], refused.value.problems


def test_without_a_schedule_the_defaults_hold():
    text = re.sub(r"^reminders:\n(  .*\n)+", "", SHIPPED_CONFIG.read_text(encoding="utf-8"), flags=re.M)
    schedule = parse_survey(text.encode()).reminders
    assert (schedule.days_before, schedule.overdue_digest) == ((7, 3, 1), True)
    assert parse_survey(text.replace("deadlines:", "reminders: {days_before: [1, 14]}\ndeadlines:").encode()
                        ).reminders.days_before == (14, 1)


def test_an_address_the_server_refuses_is_not_recorded_and_the_others_go(app, runner, smtp, clock, contacts):
    on(clock, "2027-04-07")
    smtp.inbox.refused.add(ADDRESSES[UNIT])
    refused = send(runner)
    assert refused.exit_code == 1 and f"{UNIT} → {ADDRESSES[UNIT]}" in refused.stderr
    assert sorted(recipients[0] for recipients, _message in smtp.inbox.take()) == [ADDRESSES[OTHER], "tdp1@example.vn"]
    assert sorted(code for code, *_rest in sent_rows(app)) == ["BMT.TL.01", OTHER]
    assert [details for _scope, _by, details in recorded_runs(app)] == [{"sent": 2, "failed": 1, "steps": {"3": 2}}]
    smtp.inbox.refused.clear()
    assert send(runner).exit_code == 0
    assert [recipients for recipients, _message in smtp.inbox.take()] == [[ADDRESSES[UNIT]]]
