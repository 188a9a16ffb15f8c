"""The officials' inbox (issue 12): search, sort and pages at 10,000 tasks, tab counts, 已办, batch claim with one
winner per task, saved filters; a page costs the same number of SQL statements whatever the data size."""
import threading

from models import OpenTask, db
from tests.factories import PASSWORD, Api
from tests.sql_count import count_statements, statements_for
from tests.test_registration import COUNTY, OTHER_COUNTY, review_task, submit
from tests.worklist_data import clone_tasks
from workflows import clock


def _login(client, user):
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_inbox_search_sort_and_pages_at_ten_thousand_tasks(api_as):
    """Issue 12: GET /api/inbox takes q, sort=due|arrived, page, per_page, overdue=1 and answers total."""
    official = api_as("county_official", unit=COUNTY, name="审核员甲")
    colleague = api_as("county_official", unit=COUNTY, name="审核员乙")
    case_id = submit(api_as("agency"))
    tasks = clone_tasks(case_id, 10_000, unit=COUNTY, other_unit=OTHER_COUNTY, assignee_ids=(colleague.user.id,))
    now = clock.now()
    visible = [t for t in tasks if t["unit_code"] == COUNTY] + [None]  # the unit's tasks (claimed or not) + the real one
    unclaimed = sum(1 for t in visible if t is None or t["assignee_id"] is None)
    res = official.get("/api/inbox?per_page=50")
    body = res.get_json()
    assert res.status_code == 200 and body["total"] == len(visible) and len(body["items"]) == 50
    dues = [i["due_at"] for i in body["items"]]
    assert dues == sorted(dues) and all(i["case_number"] for i in body["items"])
    page2 = official.get("/api/inbox?per_page=50&page=2").get_json()["items"]
    assert not {i["id"] for i in page2} & {i["id"] for i in body["items"]} and page2[0]["due_at"] >= dues[-1]
    arrived = official.get("/api/inbox?sort=arrived&per_page=20").get_json()["items"]
    assert [i["created_at"] for i in arrived] == sorted((i["created_at"] for i in arrived), reverse=True)
    # search: 办件编号, credit code, task title
    t = next(t for t in tasks if t["unit_code"] == COUNTY and t["assignee_id"] is None and t["title"] == "材料审核")
    number = f"140500-2026-XX-{t['case_id']:06d}"
    hit = official.get(f"/api/inbox?q={number}").get_json()
    assert hit["total"] == 1 and hit["items"][0]["id"] == t["id"] and hit["items"][0]["case_number"] == number
    code = f"91140500MA0{t['case_id']:07d}"
    assert [i["id"] for i in official.get(f"/api/inbox?q={code}").get_json()["items"]] == [t["id"]]
    titled = official.get("/api/inbox?q=现场核查&per_page=1").get_json()
    assert titled["total"] == sum(1 for x in visible if x and x["title"] == "现场核查")
    late = official.get("/api/inbox?overdue=1").get_json()
    assert late["total"] == sum(1 for x in visible if x and x["due_at"] < now)
    assert late["counts"] == {"all": len(visible), "mine": 0, "unclaimed": unclaimed, "overdue": late["total"]}
    assert official.get("/api/inbox?scope=unclaimed&per_page=1").get_json()["total"] == unclaimed
    mine = colleague.get("/api/inbox?scope=mine&per_page=5").get_json()
    assert mine["total"] == sum(1 for x in tasks if x["assignee_id"] == colleague.user.id)


def test_bad_inbox_arguments_answer_422_in_chinese(api_as, client, make_user):
    """Bad input: a clear Chinese message naming the field, never a 500; the page re-renders with it."""
    official = api_as("county_official", unit=COUNTY)
    for query, field in (("sort=name", "sort"), ("page=0", "page"), ("per_page=1000", "per_page"),
                         ("scope=x", "scope"), ("page=abc", "page")):
        res = official.get(f"/api/inbox?{query}")
        assert res.status_code == 422 and field in res.get_json()["errors"], (query, res.get_json())
    _login(client, make_user("county_official", unit=COUNTY))
    page = client.get("/inbox?sort=name")
    assert page.status_code == 422 and "查询条件有误" in page.get_data(as_text=True)


def test_inbox_and_case_list_cost_the_same_statements_at_two_sizes(app, api_as, client, make_user):
    """Issue 12: no N+1 (inbox.html read t.case, loading each case with its workflow JSON): the inbox page, the
    inbox API, the case list page and API send as many SQL statements with 40 rows as with 2,000."""
    official = make_user("city_official", name="市局审核员")
    api = api_as("county_official", unit=COUNTY)
    api = Api(app.test_client(), api.token, api.user)  # not the browser client: its session cookie would win
    case_id = submit(api_as("agency"))
    _login(client, official)
    urls = ["/inbox?per_page=40", "/cases?per_page=40"]
    api_urls = ["/api/inbox?per_page=40", "/api/cases?per_page=40"]

    def counts():
        out = []
        for url in urls:
            client.get(url)  # warm-up
            res, log = statements_for(client, url)
            assert res.status_code == 200
            out.append(len(log))
        for url in api_urls:
            api.get(url)
            with count_statements() as log:
                res = api.get(url)
            assert res.status_code == 200 and len(res.get_json()["items"]) == 40, (url, res.get_json())
            out.append(len(log))
        return out

    clone_tasks(case_id, 40, unit=COUNTY)
    small = counts()
    clone_tasks(case_id, 2000, unit=COUNTY)
    assert counts() == small


def test_done_list_shows_what_i_completed(api_as, client, make_user):
    """已办: scope=done lists the tasks I completed with the 办件编号 and what I submitted; nobody else's."""
    official = api_as("county_official", unit=COUNTY, name="审核员丙")
    other = api_as("county_official", unit=COUNTY, name="审核员丁")
    case_id = submit(api_as("agency"))
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete",
                        json={"data": {"decision": "return", "opinion": "请补充营业执照副本"}})
    assert res.status_code == 200, res.get_json()
    done = official.get("/api/inbox?scope=done").get_json()
    assert done["total"] == 1
    [item] = done["items"]
    number = official.get(f"/api/cases/{case_id}").get_json()["number"]
    assert item["id"] == task["id"] and item["case_number"] == number and number
    assert item["submitted"]["opinion"] == "请补充营业执照副本" and item["title"] == task["title"]
    assert other.get("/api/inbox?scope=done").get_json()["total"] == 0
    client.get("/logout")
    user = db.session.get(type(official.user), official.user.id)
    _login(client, user)
    html = client.get("/inbox?scope=done").get_data(as_text=True)
    assert number in html and "请补充营业执照副本" in html


def _batch(app, calls):
    """Two batch claims at the same moment; their (status, body) in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def act(i, ids, token):
        with app.app_context():
            c = app.test_client()
            barrier.wait()
            res = c.post("/api/inbox/claim", json={"task_ids": ids}, headers={"Authorization": f"Bearer {token}"})
            results[i] = (res.status_code, res.get_json())
            db.session.remove()

    threads = [threading.Thread(target=act, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_batch_claim_one_winner_per_task_and_409_naming_who(app, api_as):
    """批量认领: two officials claim the same tasks at once; each task has exactly one holder; every refusal is a
    409 naming who claimed it first (issue 10's rule, now for lists)."""
    a = api_as("county_official", unit=COUNTY, name="认领员甲")
    b = api_as("county_official", unit=COUNTY, name="认领员乙")
    agency = api_as("agency")
    ids = [review_task(a, submit(agency, n=n))["id"] for n in (1, 2, 3)]
    first = a.post("/api/tasks/" + ids[0] + "/claim")
    assert first.status_code == 200
    res = b.post("/api/inbox/claim", json={"task_ids": ids})
    body = res.get_json()
    assert res.status_code == 409 and sorted(t["id"] for t in body["claimed"]) == sorted(ids[1:])
    assert [r["id"] for r in body["refused"]] == [ids[0]] and "认领员甲" in body["refused"][0]["message"]
    for tid in ids[1:]:
        b.post(f"/api/tasks/{tid}/unclaim")
    more = [review_task(a, submit(agency, n=n))["id"] for n in (4, 5)]
    pool = ids[1:] + more
    ra, rb = _batch(app, [(pool, a.token), (list(reversed(pool)), b.token)])
    won = {t["id"]: "认领员甲" for t in (ra[1]["claimed"])} | {t["id"]: "认领员乙" for t in rb[1]["claimed"]}
    assert sorted(won) == sorted(pool) and len(ra[1]["claimed"]) + len(rb[1]["claimed"]) == len(pool)
    for status, out in (ra, rb):
        for r in out["refused"]:
            assert status == 409 and r["status"] == 409 and won[r["id"]] in r["message"], out
    holders = {t.id: t.assignee_id for t in db.session.query(OpenTask).filter(OpenTask.id.in_(pool))}
    assert all(holders[i] == (a.user.id if won[i] == "认领员甲" else b.user.id) for i in pool)


def test_claim_from_the_list_page(api_as, client, make_user):
    """The inbox page claims one row (its 认领 button) or the ticked rows (批量认领)."""
    official = make_user("county_official", unit=COUNTY, name="页面认领员")
    agency = api_as("agency")
    api = api_as("county_official", unit=COUNTY)
    ids = [review_task(api, submit(agency, n=n))["id"] for n in (1, 2, 3)]
    _login(client, official)
    html = client.get("/inbox?scope=unclaimed").get_data(as_text=True)
    assert "批量认领所选任务" in html and all(i in html for i in ids)
    assert client.post("/inbox/claim", data={"one": ids[0]}).status_code == 302
    assert client.post("/inbox/claim", data={"task_ids": ids[1:]}).status_code == 302
    assert {t.assignee_id for t in db.session.query(OpenTask).filter(OpenTask.id.in_(ids))} == {official.id}
    tabs = client.get("/inbox").get_data(as_text=True)
    assert "我的 <span class=\"count\">3</span>" in tabs


def test_saved_filters_are_kept_per_user(api_as, client, make_user):
    """常用筛选 (table saved_filter): a named query string per user and list; others neither see nor delete it."""
    official = api_as("county_official", unit=COUNTY)
    stranger = api_as("county_official", unit=COUNTY)
    res = official.post("/api/inbox/filters", json={"page": "inbox", "name": "我的逾期",
                                                    "query": "scope=mine&overdue=1&page=3&evil=x"})
    assert res.status_code == 201 and res.get_json()["query"] == "overdue=1&scope=mine"
    assert official.post("/api/inbox/filters", json={"page": "inbox", "name": ""}).status_code == 422
    assert [f["name"] for f in official.get("/api/inbox/filters").get_json()["items"]] == ["我的逾期"]
    assert stranger.get("/api/inbox/filters").get_json()["items"] == []
    fid = res.get_json()["id"]
    gone = stranger.client.delete(f"/api/inbox/filters/{fid}", headers=stranger._h())
    assert gone.status_code == 404 and gone.get_json()["message"]
    assert official.client.delete(f"/api/inbox/filters/{fid}", headers=official._h()).status_code == 204
    assert official.get("/api/inbox/filters").get_json()["items"] == []
    user = make_user("county_official", unit=COUNTY, name="页面用户")
    _login(client, user)
    assert client.post("/inbox/filters", data={"page": "inbox", "name": "待认领的",
                                               "query": "scope=unclaimed"}).status_code == 302
    html = client.get("/inbox").get_data(as_text=True)
    assert "待认领的" in html and "scope=unclaimed" in html
