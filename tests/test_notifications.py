"""Notices (issue 12): in-app messages and e-mail through a real local SMTP sink, sent after commit by the
timer worker, once, retried on failure without touching the case; the unread badge; the notifications API."""
import socket
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from models import Case, Notification, User, db
from tests.factories import PASSWORD
from tests.test_registration import review_task, submit
from workflows.timers import tick

COUNTY = "140502"


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(app):
    sink, port = _Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(ANFU_SMTP_HOST="127.0.0.1", ANFU_SMTP_PORT=port, ANFU_SMTP_FROM="anfu@bureau.example")
    yield sink
    controller.stop()


def _with_email(user, email):
    db.session.query(User).filter_by(id=user.id).update({"email": email})
    db.session.commit()


def _return(agency, official, case_id):
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete",
                        json={"data": {"decision": "return", "opinion": "营业执照复印件不清晰"}})
    assert res.status_code == 200, res.get_json()


def test_a_returned_registration_notifies_the_agency_in_app_and_by_email_once_after_commit(api_as, smtp_sink):
    agency = api_as("agency")
    _with_email(agency.user, "clerk@agency.example")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    # a refused submission (422) rolls back and notifies nobody
    task = review_task(official, case_id)
    assert official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return"}}).status_code == 422
    assert agency.get("/api/notifications?unread=1").get_json()["unread"] == 0
    _return(agency, official, case_id)
    body = agency.get("/api/notifications?unread=1").get_json()
    assert body["unread"] == 1
    [item] = body["items"]
    assert set(item) == {"id", "at", "kind", "case_id", "task_id", "text", "read"}
    assert item["case_id"] == case_id and item["task_id"] and not item["read"]
    number = db.session.get(Case, case_id).number
    assert "补正" in item["text"] and number in item["text"] and "办理期限" in item["text"]
    assert smtp_sink.messages == []  # nothing is sent inside the request
    tick()
    assert len(smtp_sink.messages) == 1 and smtp_sink.messages[0].rcpt_tos == ["clerk@agency.example"]
    mail = message_from_bytes(smtp_sink.messages[0].content, policy=email_policy.default)
    assert "补正" in mail.get_content() and number in mail.get_content() and f"/tasks/{item['task_id']}" in mail.get_content()
    tick()
    assert len(smtp_sink.messages) == 1  # once
    assert agency.post(f"/api/notifications/{item['id']}/read").get_json()["unread"] == 0
    assert agency.post("/api/notifications/99999/read").status_code == 404


def test_a_failed_send_is_retried_and_never_touches_the_case(app, api_as):
    agency = api_as("agency")
    _with_email(agency.user, "clerk@agency.example")
    official = api_as("county_official", unit=COUNTY)
    app.config.update(ANFU_SMTP_HOST="127.0.0.1", ANFU_SMTP_PORT=_free_port())  # nobody listens there
    case_id = submit(agency)
    _return(agency, official, case_id)
    version = db.session.get(Case, case_id).version
    tick()
    db.session.expire_all()
    note = db.session.query(Notification).filter_by(user_id=agency.user.id, kind="task_arrived").one()
    assert note.email_status == "pending" and note.email_attempts == 1 and note.email_error
    case = db.session.get(Case, case_id)
    assert case.version == version and case.status == "running"
    # the agency still finds the task and the in-app message
    assert agency.get("/api/notifications").get_json()["unread"] == 1
    assert agency.get("/api/inbox").get_json()["items"]


def test_the_unread_badge_shows_on_every_page_and_clears(client, api_as):
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    _return(agency, official, case_id)
    assert client.post("/login", data={"username": agency.user.username, "password": PASSWORD}).status_code == 302
    page = client.get("/inbox").get_data(as_text=True)
    assert 'aria-label="未读消息">1<' in page
    page = client.get("/notifications").get_data(as_text=True)
    assert "您有新的待办" in page
    client.post("/notifications/read-all")
    assert 'aria-label="未读消息"' not in client.get("/inbox").get_data(as_text=True)


def test_case_numbers_are_formatted_and_unique(api_as):
    """办件编号: city code, year, process (in Chinese), sequence."""
    agency = api_as("agency")
    ids = [agency.post("/api/cases", json={"process": "registration"}).get_json()["id"] for _ in range(3)]
    numbers = [db.session.get(Case, i).number for i in ids]
    assert len(set(numbers)) == 3
    assert all(n.startswith("140500-") and "-登记-" in n for n in numbers)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]
