"""Provisional deadlines counted again when the administrator enters the year's holidays (domain.md §5, §8).

A 退回补正 on 2026-12-24 runs 10 working days into 2027, for which no 放假安排 was published: counted Mon–Fri,
it ends 2027-01-07 and is 暂定. Once the administrator enters 元旦 (2027-01-01) and declares 2027 complete, the
open task, the inbox row, the workflow's timer and the scheduler's timer row all move to 2027-01-08, and the audit
trail keeps the old and new dates.
"""
import json
from datetime import UTC, datetime

from freezegun import freeze_time

from models import AuditEvent, Case, CaseTimer, OpenTask, db
from tests.factories import PASSWORD, application, with_documents
from tests.test_working_days_in_cases import COUNTY
from workflows.timers import tick


def _returned(api_as, moment: str, n: int):
    """A registration of agency n returned for correction at `moment`: (its open task, case id)."""
    with freeze_time(moment):
        agency, official = api_as("agency"), api_as("county_official", unit=COUNTY)
        case = agency.post("/api/cases", json={"process": "registration"}).get_json()
        data = with_documents(agency, case["id"], application(COUNTY, n))
        assert agency.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data}).status_code == 200
        [task] = [t for t in official.get("/api/inbox").get_json()["items"] if t["case_id"] == case["id"]]
        official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "补正"}})
        [task] = [t for t in agency.get("/api/inbox").get_json()["items"] if t["case_id"] == case["id"]]
        return task, case["id"]


def _admin_client(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    assert client.post("/login", data={"username": admin.username, "password": PASSWORD}).status_code == 302
    return client


def test_entering_2027_holidays_moves_the_provisional_correction_deadline_and_its_timer(app, api_as, make_user):
    """民法典 第二百零一条 count, redone on the admin's table: 2027-01-07 (暂定) → 2027-01-08; the timer follows."""
    task, case_id = _returned(api_as, "2026-12-24 10:00:00+08:00", 1)
    assert task["due_provisional"] is True and task["due_at"].startswith("2027-01-07T16:00:00")
    assert db.session.query(CaseTimer).filter_by(case_id=case_id).one().due_at == datetime(2027, 1, 7, 16, tzinfo=UTC)

    with freeze_time("2026-12-28 09:00:00+08:00"):
        admin = _admin_client(app, make_user)
        res = admin.post("/admin/calendar", data={"day": "2027-01-01", "is_workday": "0", "note": "元旦"})
        assert res.status_code == 302
        # still provisional (the year is not declared complete) but already counted without 元旦
        row = db.session.get(OpenTask, task["id"])
        assert row.due_at == datetime(2027, 1, 8, 16, tzinfo=UTC) and row.due_provisional is True
        res = admin.post("/admin/calendar/years", data={"year": "2027", "source": "国办发明电〔2026〕测试号"})
        assert res.status_code == 302

    row = db.session.get(OpenTask, task["id"])
    assert row.due_at == datetime(2027, 1, 8, 16, tzinfo=UTC) and row.due_provisional is False
    assert db.session.query(CaseTimer).filter_by(case_id=case_id).one().due_at == datetime(2027, 1, 8, 16, tzinfo=UTC)
    events = [json.loads(e.detail) for e in db.session.query(AuditEvent).filter_by(
        case_id=case_id, action="deadline_recomputed").order_by(AuditEvent.seq)]
    assert [(e["old_ends_on"], e["new_ends_on"], e["provisional"]) for e in events] == [
        ("2027-01-07", "2027-01-08", True), ("2027-01-08", "2027-01-08", False)]
    assert events[0]["old_due_at"].startswith("2027-01-08T00:00:00+08:00")
    assert events[0]["new_due_at"].startswith("2027-01-09T00:00:00+08:00")
    assert "暂定" in events[0]["explanation"] and "暂定" not in events[1]["explanation"]

    # the case's timer fires at the new time, not the old
    assert tick(datetime(2027, 1, 7, 16, 1, tzinfo=UTC)) == 0
    assert db.session.get(Case, case_id).status == "running"
    assert tick(datetime(2027, 1, 8, 16, 1, tzinfo=UTC)) == 1
    case = db.session.get(Case, case_id)
    assert case.status == "completed" and case.outcome == "withdrawn"


def test_cli_year_declaration_recounts_and_a_non_provisional_deadline_is_left_alone(app, api_as):
    """`flask calendar set/year` recount too; a 2026 deadline (package data) is never touched."""
    task_2027, case_2027 = _returned(api_as, "2026-12-24 10:00:00+08:00", 1)
    task_2026, case_2026 = _returned(api_as, "2026-11-02 10:00:00+08:00", 2)
    assert task_2026["due_provisional"] is False
    before_2026 = db.session.get(Case, case_2026).version
    runner = app.test_cli_runner()
    assert runner.invoke(args=["calendar", "set", "2027-01-01", "--off", "--note", "元旦"]).exit_code == 0
    assert runner.invoke(args=["calendar", "year", "2027", "--source", "国办发明电〔2026〕测试号"]).exit_code == 0
    db.session.expire_all()
    row = db.session.get(OpenTask, task_2027["id"])
    assert row.due_at == datetime(2027, 1, 8, 16, tzinfo=UTC) and row.due_provisional is False
    assert db.session.get(Case, case_2026).version == before_2026
    assert db.session.query(AuditEvent).filter_by(case_id=case_2026, action="deadline_recomputed").count() == 0
    assert db.session.query(AuditEvent).filter_by(case_id=case_2027, action="deadline_recomputed").count() == 2
