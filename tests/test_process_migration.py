"""Migrating running cases to a new version: dry run with reasons, audited migration, deadlines kept.

Issue 5 "Migration"; policy from SpiffWorkflow's diff docs / spiff-arena: a changed or removed task that is
already COMPLETED or STARTED blocks a case. Statutory periods ([WJ] 第十四条 退回补正 10 个工作日, domain.md §8)
keep their absolute end dates because the timer is a timeDate over the stored deadline.
"""
import json
from datetime import UTC, datetime

from freezegun import freeze_time

from models import AuditEvent, Case, CaseTimer, OpenTask, db
from tests.process_edits import renamed_correction, with_recheck
from tests.test_registration import review_task, submit
from workflows.timers import tick

COUNTY = "140502"
MIGRATIONS = "/api/processes/registration/migrations"


def publish(owner, xml: str) -> int:
    draft = owner.post("/api/processes/registration/drafts", json={"bpmn": xml}).get_json()
    assert draft["problems"] == [], draft
    res = owner.post(f"/api/processes/registration/drafts/{draft['id']}/publish", json={"reason": "调整补正环节"})
    assert res.status_code == 201, res.get_json()
    return res.get_json()["version"]


def returned_for_correction(agency, official, n: int) -> int:
    """A case the county sent back: waiting at 退回补正 with its 10-working-day timer."""
    case_id = submit(agency, n=n)
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete",
                        json={"data": {"decision": "return", "opinion": "缺少社保证明"}})
    assert res.status_code == 200, res.get_json()
    return case_id


def test_dry_run_lists_migratable_and_blocked_cases_with_reasons(api_as):
    """Waiting at the county review → migratable; already reviewed (review changed in v2) → blocked."""
    owner = api_as("process_owner")
    official = api_as("county_official", unit=COUNTY)
    waiting = submit(api_as("agency"), n=1)
    reviewed = returned_for_correction(api_as("agency"), official, n=2)
    assert publish(owner, with_recheck()) == 2
    res = owner.get(f"{MIGRATIONS}?to=2")
    assert res.status_code == 200, res.get_json()
    plan = {item["case_id"]: item for item in res.get_json()["items"]}
    assert plan[waiting]["migratable"] and plan[waiting]["current_tasks"] == "县级审核登记材料"
    assert not plan[reviewed]["migratable"]
    assert any("县级审核登记材料" in r and "已办结" in r and "后续连线" in r for r in plan[reviewed]["reasons"])

    res = owner.post(MIGRATIONS, json={"to_version": 2, "case_ids": [waiting, reviewed]})
    assert res.status_code == 200, res.get_json()
    results = {r["case_id"]: r for r in res.get_json()["items"]}
    assert results[waiting]["migrated"] and not results[reviewed]["migrated"]
    assert db.session.get(Case, waiting).process_version.version == 2
    assert db.session.get(Case, reviewed).process_version.version == 1
    [event] = db.session.query(AuditEvent).filter_by(action="case_migrated").all()
    assert event.case_id == waiting and event.role == "process_owner"
    assert json.loads(event.detail) == {"process": "registration", "from_version": 1, "to_version": 2}
    assert owner.get(f"{MIGRATIONS}?to=2").get_json()["items"] == [plan[reviewed]]  # the moved one is gone

    # the migrated case now runs the new step
    task = review_task(official, waiting)
    official.post(f"/api/tasks/{task['id']}/claim")
    official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}})
    assert review_task(official, waiting)["name"] == "recheck_review"


def test_migration_keeps_the_running_correction_deadline(api_as):
    """退回补正: a case waiting at correct_application keeps case_timer.due_at across migration, then fires."""
    owner = api_as("process_owner")
    official, agency = api_as("county_official", unit=COUNTY), api_as("agency")
    with freeze_time("2026-09-25 10:00:00+08:00"):
        case_id = returned_for_correction(agency, official, n=1)
    [timer] = db.session.query(CaseTimer).filter_by(case_id=case_id).all()
    due = timer.due_at
    assert due == datetime(2026, 10, 15, 16, 0, tzinfo=UTC)
    with freeze_time("2026-10-09 09:00:00+08:00"):  # migrated days later: a duration timer would move
        assert publish(owner, renamed_correction()) == 2
        [item] = owner.get(f"{MIGRATIONS}?to=2").get_json()["items"]
        assert item["migratable"], item
        res = owner.post(MIGRATIONS, json={"to_version": 2, "case_ids": [case_id]})
        assert res.get_json()["items"][0]["migrated"], res.get_json()
    db.session.expire_all()
    [timer] = db.session.query(CaseTimer).filter_by(case_id=case_id).all()
    assert timer.due_at == due
    [task] = db.session.query(OpenTask).filter_by(case_id=case_id).all()
    assert task.title == "退回补正：按审核意见修改情况表或补充材料"
    assert task.due_at == due
    assert tick(datetime(2026, 10, 15, 15, 59, tzinfo=UTC)) == 0
    assert tick(datetime(2026, 10, 15, 16, 1, tzinfo=UTC)) == 1
    case = db.session.get(Case, case_id)
    assert case.outcome == "withdrawn" and case.process_version.version == 2


def test_migration_refuses_cases_that_are_not_candidates(api_as):
    owner = api_as("process_owner")
    publish(owner, with_recheck())
    newer = submit(api_as("agency"), n=1)  # already on version 2
    res = owner.post(MIGRATIONS, json={"to_version": 2, "case_ids": [newer]})
    assert res.status_code == 422 and "case_ids" in res.get_json()["errors"]
    assert owner.post(MIGRATIONS, json={"to_version": 2, "case_ids": []}).status_code == 422
    assert owner.post(MIGRATIONS, json={"case_ids": [newer]}).status_code == 422
    assert owner.get(f"{MIGRATIONS}?to=7").status_code == 404
