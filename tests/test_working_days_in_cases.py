"""Working-day deadlines as cases see them: holidays, 调休, the administrator's table, provisional years.

domain.md §5 and §8: start day not counted (民法典 第二百零一条), 调休 make-up days counted; beyond the package's
years, Mon–Fri and marked provisional unless the administrator's table covers the year.
"""
from freezegun import freeze_time

from tests.factories import application, with_documents

COUNTY = "140502"


def _returned_on(api_as, moment: str):
    with freeze_time(moment):
        agency = api_as("agency")
        official = api_as("county_official", unit=COUNTY)
        case = agency.post("/api/cases", json={"process": "registration"}).get_json()
        data = with_documents(agency, case["id"], application(COUNTY))
        agency.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
        task = official.get("/api/inbox").get_json()["items"][0]
        official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "补正"}})
        return agency, agency.get("/api/inbox").get_json()["items"][0], case["id"]


def test_deadline_beyond_the_calendar_years_is_provisional_and_shown_so(api_as, client):
    """Returned on 2026-12-24: 10 working days run into 2027 (no published arrangement) → Mon–Fri, 暂定."""
    agency, task, _ = _returned_on(api_as, "2026-12-24 10:00:00+08:00")
    assert task["due_provisional"] is True
    assert task["due_at"].startswith("2027-01-07T16:00:00")  # 2027-01-07 24:00 Asia/Shanghai, Mon–Fri count
    with freeze_time("2026-12-24 11:00:00+08:00"):
        page = client.get(f"/tasks/{task['id']}", headers={"Authorization": f"Bearer {agency.token}"})
    text = page.get_data(as_text=True)
    assert "暂定" in text and "2027-01-07 24:00" in text


def test_administrator_table_overrides_and_removes_the_provisional_mark(app, api_as):
    """The admin declares 2027-01-01 a holiday and the year complete: the deadline moves and is no longer 暂定."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["calendar", "set", "2027-01-01", "--off", "--note", "元旦"]).exit_code == 0
    assert runner.invoke(args=["calendar", "year", "2027", "--source", "国办发明电〔2026〕测试号"]).exit_code == 0
    _, task, _ = _returned_on(api_as, "2026-12-24 10:00:00+08:00")
    assert task["due_provisional"] is False
    assert task["due_at"].startswith("2027-01-08T16:00:00")


def test_admin_calendar_page_is_admin_only(app, client, make_user):
    """Only the administrator maintains the table; others get 403."""
    from tests.factories import PASSWORD
    official = make_user("city_official")
    client.post("/login", data={"username": official.username, "password": PASSWORD})
    assert client.get("/admin/calendar").status_code == 403
    admin = make_user("admin")
    client.post("/logout")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    assert client.get("/admin/calendar").status_code == 200
    res = client.post("/admin/calendar", data={"day": "2027-02-06", "is_workday": "1", "note": ""})
    assert res.status_code == 422 and "请注明依据" in res.get_data(as_text=True)
    res = client.post("/admin/calendar", data={"day": "2027-02-06", "is_workday": "1", "note": "春节调休"})
    assert res.status_code == 302
    assert "2027-02-06" in client.get("/admin/calendar").get_data(as_text=True)
