"""The case list (issue 12): 办件编号 on every case and unique under concurrent starts, filters with a total,
pages, Excel of the filtered list, 作废 through the API."""
import io
import threading
from datetime import timedelta

from openpyxl import load_workbook

from models import Case, OpenTask, db
from tests.factories import PASSWORD
from tests.test_registration import COUNTY, OTHER_COUNTY, review_task, submit
from workflows import clock


def _login(client, user):
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_case_numbers_unique_under_concurrent_starts(app, api_as):
    """办件编号 (workflows/numbering.py): eight agencies start at the same moment; eight different numbers."""
    users = [api_as("agency") for _ in range(8)]
    barrier, results = threading.Barrier(len(users)), [None] * len(users)

    def start(i, token):
        with app.app_context():
            c = app.test_client()
            barrier.wait()
            res = c.post("/api/cases", json={"process": "registration"}, headers={"Authorization": f"Bearer {token}"})
            results[i] = (res.status_code, res.get_json())
            db.session.remove()

    threads = [threading.Thread(target=start, args=(i, u.token)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(status == 201 for status, _ in results), results
    numbers = [body["number"] for _, body in results]
    assert all(numbers) and len(set(numbers)) == len(numbers), numbers
    stored = {c.id: c.number for c in db.session.query(Case).filter(Case.id.in_([b["id"] for _, b in results]))}
    assert sorted(stored.values()) == sorted(numbers)


def test_case_list_filters_pages_and_total(api_as):
    """GET /api/cases?process=&status=&unit=&from=&to=&q=&step=&holder=&page= answers items (each with number)
    and total."""
    city = api_as("city_official")
    county = api_as("county_official", unit=COUNTY, name="承办人甲")
    agency = api_as("agency")
    ids = [submit(agency, n=n) for n in (1, 2, 3)]
    other = submit(api_as("agency"), county=OTHER_COUNTY, n=4)
    task = review_task(county, ids[0])
    assert county.post(f"/api/tasks/{task['id']}/claim").status_code == 200
    assert agency.post(f"/api/cases/{ids[2]}/withdraw", json={"reason": "重复提交"}).status_code == 200
    everything = city.get("/api/cases?process=registration").get_json()
    assert everything["total"] == 4 and all(c["number"] for c in everything["items"])
    by_unit = city.get(f"/api/cases?unit={OTHER_COUNTY}").get_json()
    assert [c["id"] for c in by_unit["items"]] == [other]
    assert city.get("/api/cases?status=cancelled").get_json()["total"] == 1
    paged = city.get("/api/cases?per_page=2&page=2").get_json()
    assert paged["total"] == 4 and len(paged["items"]) == 2 and paged["page"] == 2
    number = db.session.get(Case, ids[1]).number
    assert [c["id"] for c in city.get(f"/api/cases?q={number}").get_json()["items"]] == [ids[1]]
    held = city.get(f"/api/cases?holder={county.user.id}").get_json()
    assert [c["id"] for c in held["items"]] == [ids[0]]
    assert city.get("/api/cases?step=county_review").get_json()["total"] == 3
    today = clock.today()
    assert city.get(f"/api/cases?from={today}&to={today}").get_json()["total"] == 4
    assert city.get(f"/api/cases?to={today - timedelta(days=1)}").get_json()["total"] == 0
    assert county.get("/api/cases").get_json()["total"] == 3  # a county official sees only the county's cases
    bad = city.get("/api/cases?from=2026-13-01&status=x&per_page=0")
    assert bad.status_code == 422 and {"from", "status", "per_page"} <= set(bad.get_json()["errors"])


def test_withdraw_through_the_api(api_as):
    """POST /api/cases/{id}/withdraw {reason}: the starter or an official; a reason is required; only once."""
    agency = api_as("agency")
    case_id = submit(agency)
    stranger = api_as("agency")
    refused = stranger.post(f"/api/cases/{case_id}/withdraw", json={"reason": "试试"})
    assert refused.status_code == 403 and refused.get_json()["message"]
    empty = agency.post(f"/api/cases/{case_id}/withdraw", json={"reason": "  "})
    assert empty.status_code == 422 and empty.get_json()["errors"]["reason"] == ["请填写作废理由"]
    official = api_as("county_official", unit=COUNTY)
    res = official.post(f"/api/cases/{case_id}/withdraw", json={"reason": "机构申请撤回"})
    body = res.get_json()
    assert res.status_code == 200 and body["status"] == "cancelled" and body["outcome"] == "voided"
    assert body["number"] and body["open_tasks"] == []
    assert db.session.query(OpenTask).filter_by(case_id=case_id).count() == 0
    again = agency.post(f"/api/cases/{case_id}/withdraw", json={"reason": "再次"})
    assert again.status_code == 403 and again.get_json()["message"]  # can_withdraw: only a running case


def test_case_list_page_and_excel_of_the_filtered_list(api_as, client, make_user):
    """The case list page shows 办件编号, current step and holder; its Excel holds exactly the filtered cases."""
    agency = api_as("agency")
    ids = [submit(agency, n=n) for n in (1, 2)]
    other = submit(api_as("agency"), county=OTHER_COUNTY, n=3)
    official = make_user("city_official", name="市局查询员")
    _login(client, official)
    html = client.get("/cases").get_data(as_text=True)
    numbers = {i: db.session.get(Case, i).number for i in ids + [other]}
    step = db.session.query(OpenTask).filter_by(case_id=ids[0]).one().title
    assert all(n in html for n in numbers.values()) and step in html and "待认领" in html
    page = client.get(f"/cases?unit={COUNTY}").get_data(as_text=True)
    assert numbers[ids[0]] in page and numbers[other] not in page and "共 2 件" in page
    res = client.get(f"/cases/export.xlsx?unit={COUNTY}")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(res.data)).active
    rows = list(ws.values)
    assert "办件编号" in rows[0] and len(rows) == 3
    col = rows[0].index("办件编号")
    assert sorted(r[col] for r in rows[1:]) == sorted(numbers[i] for i in ids)
    bad = client.get("/cases?from=昨天")
    assert bad.status_code == 422 and "日期格式应为“年-月-日”" in bad.get_data(as_text=True)


def test_case_number_named_on_case_task_and_audit_pages(api_as, client, make_user):
    """办件编号 wherever a case is named: the case page, the task page, the inbox and the audit story."""
    case_id = submit(api_as("agency"))
    number = db.session.get(Case, case_id).number
    task_id = db.session.query(OpenTask).filter_by(case_id=case_id).one().id
    _login(client, make_user("county_official", unit=COUNTY))
    for url in (f"/cases/{case_id}", f"/tasks/{task_id}", "/inbox"):
        res = client.get(url)
        assert res.status_code == 200 and f"{number}" in res.get_data(as_text=True), url
    client.get("/logout")
    _login(client, make_user("auditor"))
    res = client.get(f"/audit/cases/{case_id}")
    assert res.status_code == 200 and f"<dd>{number}</dd>" in res.get_data(as_text=True)
