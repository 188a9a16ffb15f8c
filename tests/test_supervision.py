"""督办/催办 (issue 12): every official's task has a deadline from the service-level table; an overdue county
review shows on the city's supervisor view; a 催办 reaches the reviewer; a unit with nobody flags the city."""
from datetime import timedelta

from freezegun import freeze_time

from models import Notification, OpenTask, db
from tests.factories import PASSWORD
from tests.test_registration import review_task, submit
from workflows.service_levels import period_for

COUNTY = "140502"


def test_every_official_task_of_the_shipped_processes_has_a_period_with_its_basis(app):
    """Rows name their basis; platform defaults say so (domain.md §8)."""
    row = period_for("registration", "county_review")
    assert row["working_days"] == 10 and row["basis"].startswith("平台默认")


def test_overdue_county_review_appears_for_the_city_and_a_reminder_reaches_the_reviewer(api_as):
    with freeze_time("2026-11-02 09:00:00+08:00"):
        agency = api_as("agency")
        reviewer = api_as("county_official", unit=COUNTY, name="县审核员")
        city = api_as("city_official", name="市督办员")
        case_id = submit(agency)
        task = review_task(reviewer, case_id)
        assert task["due_at"] is not None  # 10 working days from arrival
        assert reviewer.post(f"/api/tasks/{task['id']}/claim").status_code == 200
        queues = city.get("/api/supervision/queues").get_json()["items"]
        [row] = [q for q in queues if q["unit"] == COUNTY and q["process"] == "registration"]
        assert row["open"] == 1 and row["overdue"] == 0
    due = db.session.get(OpenTask, task["id"]).due_at
    with freeze_time(due + timedelta(days=1)):
        for api in (agency, reviewer, city):  # tokens last 12 hours; sign in again on the later day
            api.token = api.client.post("/api/tokens", json={"username": api.user.username,
                                                             "password": PASSWORD}).get_json()["token"]
        queues = city.get("/api/supervision/queues").get_json()["items"]
        [row] = [q for q in queues if q["unit"] == COUNTY and q["process"] == "registration"]
        assert row["overdue"] == 1 and row["oldest"]
        assert city.post(f"/api/tasks/{task['id']}/remind", json={"note": ""}).status_code == 422
        assert agency.post(f"/api/tasks/{task['id']}/remind", json={"note": "快"}).status_code == 403
        res = city.post(f"/api/tasks/{task['id']}/remind", json={"note": "请于今日内办结"})
        assert res.status_code == 200, res.get_json()
        items = reviewer.get("/api/notifications?unread=1").get_json()["items"]
        [note] = [i for i in items if i["text"].startswith("市督办员催办")]
        assert "请于今日内办结" in note["text"] and note["task_id"] == task["id"]
        # the same task is also reported overdue to its holder by the timer worker, once
        from workflows.timers import tick
        tick()
        tick()
        assert db.session.query(Notification).filter_by(task_id=task["id"], kind="task_overdue").count() == 1


def test_a_task_arriving_in_a_unit_with_no_active_official_is_flagged_to_the_city(api_as):
    agency = api_as("agency")
    city = api_as("city_official")
    case_id = submit(agency, county="140521")  # nobody works in 沁水县 in this test
    items = city.get("/api/notifications").get_json()["items"]
    assert any(i["kind"] == "task_unstaffed" and i["case_id"] == case_id for i in items)
    queues = city.get("/api/supervision/queues").get_json()["items"]
    assert any(q["unit"] == "140521" and q["unstaffed"] for q in queues)


def test_a_corrected_application_comes_back_to_the_reviewer_who_returned_it(app, api_as):
    """Issue 12: the reviewer who returned it gets the re-review (setting RETURN_TO_SAME_REVIEWER; else the queue)."""
    agency = api_as("agency")
    first = api_as("county_official", unit=COUNTY, name="审核员甲")
    api_as("county_official", unit=COUNTY, name="审核员乙")
    for same, n in ((True, 1), (False, 2)):
        app.config["RETURN_TO_SAME_REVIEWER"] = same
        case_id = submit(agency, n=n)
        task = review_task(first, case_id)
        first.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "请补正"}})
        [back] = [t for t in agency.get("/api/inbox").get_json()["items"] if t["case_id"] == case_id]
        detail = agency.get(f"/api/tasks/{back['id']}").get_json()
        agency.post(f"/api/tasks/{back['id']}/complete", json={"data": detail["prefill"]})
        again = review_task(first, case_id)
        assert again["assignee"] == (first.user.username if same else None)
