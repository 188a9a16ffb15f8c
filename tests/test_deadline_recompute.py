"""Provisional deadlines counted again when the administrator enters the year's holidays (domain.md §5, §8).

A 退回补正 on 2026-12-24 runs 10 working days into 2027, for which no 放假安排 was published: counted Mon–Fri,
it ends 2027-01-07 and is 暂定. Once the administrator enters 元旦 (2027-01-01) and declares 2027 complete, the
open task, the inbox row, the workflow's timer and the scheduler's timer row all move to 2027-01-08, and the audit
trail keeps the old and new dates.
"""
import json
from datetime import UTC, datetime

from freezegun import freeze_time

from models import AuditEvent, Case, CaseLink, CaseTimer, OpenTask, db
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


def test_provisional_report_due_date_and_reminder_move_with_the_admin_table(app, api_as):
    """[JC] 第十五条: the 2026 report is due 2027-01-31, a Sunday → 2027-02-01 (民法典 第二百零三条), counted Mon–Fri
    (暂定). If the administrator makes 2027-02-01 a day off, the due date, its timer and the report row move."""
    from models import PeriodicReport
    from tests.sanctions_factories import registered_agency, task_of
    with freeze_time("2026-06-01 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
    with freeze_time("2027-01-04 09:00:00+08:00"):
        assert app.test_cli_runner().invoke(args=["reports", "open", "--period", "2026"]).exit_code == 0
        task = task_of(api_as("agency", agency_id=agency_row.id), "submit_report")
    assert task["due_at"].startswith("2027-02-01T16:00:00") and task["due_provisional"] is True
    report = db.session.query(PeriodicReport).one()
    case_id = report.case_id
    timers = sorted(t.due_at for t in db.session.query(CaseTimer).filter_by(case_id=case_id))
    assert timers == [datetime(2027, 1, 25, 1, tzinfo=UTC), datetime(2027, 2, 1, 16, tzinfo=UTC)]

    with freeze_time("2027-01-05 09:00:00+08:00"):
        runner = app.test_cli_runner()
        assert runner.invoke(args=["calendar", "set", "2027-02-01", "--off", "--note", "测试：假定放假"]).exit_code == 0
    db.session.expire_all()
    timers = sorted(t.due_at for t in db.session.query(CaseTimer).filter_by(case_id=case_id))
    # the reminder stays 5 working days before the last day: 2027-01-25 (02-01 is no longer one of them)
    assert timers == [datetime(2027, 1, 25, 1, tzinfo=UTC), datetime(2027, 2, 2, 16, tzinfo=UTC)]
    assert db.session.get(PeriodicReport, report.id).due_at == datetime(2027, 2, 2, 16, tzinfo=UTC)
    [event] = [json.loads(e.detail) for e in db.session.query(AuditEvent).filter_by(
        case_id=case_id, action="deadline_recomputed")]
    assert (event["old_ends_on"], event["new_ends_on"]) == ("2027-02-01", "2027-02-02")
    assert event["old_reminder_at"].startswith("2027-01-25T09:00") and event["new_reminder_at"].startswith("2027-01-25")
    with freeze_time("2027-02-01 16:01:00+00:00"):
        assert tick(datetime(2027, 2, 1, 16, 1, tzinfo=UTC)) == 1  # the reminder only; the old due date passes
    assert db.session.query(CaseLink).count() == 0
    with freeze_time("2027-02-02 16:01:00+00:00"):
        assert tick(datetime(2027, 2, 2, 16, 1, tzinfo=UTC)) == 1
    assert db.session.query(CaseLink).one().ground == "JC-17-3"


def test_recount_keeps_a_reminder_offset_in_working_days():
    """An interview-style deadline (reminder 2 working days before, no stored offset) recounted with 元旦 off."""
    from datetime import date

    from workflows.calendar import SHANGHAI, WorkingCalendar
    from workflows.deadlines import recount
    old = WorkingCalendar().add_working_days(date(2026, 12, 24), 10).to_json()
    assert old["ends_on"] == "2027-01-07" and old["provisional"] is True
    old["reminder_at"] = "2027-01-05T09:00:00+08:00"
    new = recount(old, WorkingCalendar({date(2027, 1, 1): False}, extra_years=[2027]),
                  datetime(2026, 12, 28, tzinfo=SHANGHAI))
    assert (new["ends_on"], new["provisional"]) == ("2027-01-08", False)
    assert new["reminder_at"] == "2027-01-06T09:00:00+08:00"
