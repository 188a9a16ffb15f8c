"""Access rules (issue 10): every route × every role × own/other unit and agency, plus the rules found broken.

Rule (workflows/access.py): case files are read by the officials who supervise them and by auditors
(read-only); a process owner keeps diagrams, an administrator keeps accounts — neither reads case files;
an expert's assigned task is theirs alone; 转办 stays within the task's own unit or agency.
"""
import pytest

from models import Document, OpenTask, db
from tests.factories import application, with_documents
from tests.test_registration import COUNTY, OTHER_COUNTY, review_task, submit

ROLES = ["anonymous", "agency", "county_official", "city_official", "leader", "expert", "auditor", "admin",
         "process_owner"]
CASE_PARAMS = {"case_id", "doc_id", "task_id"}
LOCAL_ROLES = {"agency", "county_official", "expert"}  # never see another unit's or agency's objects
NO_CASE_FILES = {"anonymous", "expert", "admin", "process_owner"}  # never read any case object by its id
SKIP = {"static", "web.logout",  # ending one's own access is tested in test_security_access
        "web.logout_everywhere", "api.delete_current_token"}


def _side(api_as, county: str, n: int) -> dict:
    """An applicant agency user in `county` with a submitted case (county review open) and an unsent draft."""
    applicant = api_as("agency")
    case_id = submit(applicant, county=county, n=n)
    draft = applicant.post("/api/cases", json={"process": "registration"}).get_json()
    with_documents(applicant, draft["id"], application(county, n + 50), ["business_license"])
    doc = db.session.query(Document).filter_by(case_id=case_id).first()
    review = db.session.query(OpenTask).filter_by(case_id=case_id).one()
    return {"agency": applicant, "case_id": case_id, "doc_id": doc.id, "review_task": review.id,
            "agency_task": draft["open_tasks"][0]["id"], "county": county}


def _url(rule, side: dict, role: str) -> str:
    values = {"case_id": side["case_id"], "doc_id": side["doc_id"], "key": "registration", "number": 1,
              "draft_id": 1, "round_id": 1, "agency_id": 1, "day": "2027-01-01", "annex": "annex2",
              "kind": "notice", "field": "hazard_list", "notification_id": 1, "staff_id": 1, "user_id": 999999,
              "filename": "x.js",
              "task_id": side["agency_task"] if role == "agency" else side["review_task"]}
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(values[arg])).replace(f"<{arg}>", str(values[arg]))
    return url


def _verdict(rule, role: str, side: str, res) -> str | None:
    """What is wrong with one answer, if anything."""
    if res.status_code >= 500:
        return "server error"
    reads_case = CASE_PARAMS & set(rule.arguments)
    if res.status_code < 300 and reads_case and (role in NO_CASE_FILES or (role in LOCAL_ROLES and side == "other")):
        return "another unit's or agency's case object answered"
    if res.status_code >= 400 and rule.rule.startswith("/api/"):
        body = res.get_json(silent=True)
        if not (isinstance(body, dict) and body.get("message")):
            return "no JSON error body"
    return None


def test_every_route_every_role_own_and_other(app, api_as):
    """No 5xx anywhere; another unit's or agency's case, task or document is never 2xx for local roles."""
    own, other = _side(api_as, COUNTY, 1), _side(api_as, OTHER_COUNTY, 2)
    owner = api_as("process_owner")
    owner.post("/api/processes/registration/drafts", json={"bpmn": "<x/>"})
    users = {"anonymous": None, "agency": own["agency"], "process_owner": owner,
             "county_official": api_as("county_official", unit=COUNTY)}
    users.update({role: api_as(role) for role in ROLES if role not in users})
    client, problems, answers = app.test_client(), [], {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP:
            continue
        sides = (("own", own), ("other", other)) if rule.arguments else (("own", own),)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                user = users[role]
                headers = {"Authorization": f"Bearer {user.token}"} if user else {}
                for name, side in sides:
                    url = _url(rule, side, role)
                    res = client.open(url, method=method, headers=headers)
                    answers[(role, name, method, rule.rule)] = res.status_code
                    problem = _verdict(rule, role, name, res)
                    if problem:
                        problems.append((role, name, method, url, res.status_code, problem))
    assert len(answers) > 500
    for role in ("agency", "county_official", "city_official", "auditor"):  # the matrix is not vacuous
        assert answers[(role, "own", "GET", "/api/cases/<int:case_id>")] == 200, role
        assert answers[(role, "own", "GET", "/api/documents/<int:doc_id>")] == 200, role
    assert not problems, problems


def test_reassign_stays_within_the_tasks_unit(api_as):
    """A 城区 review cannot be handed to a 沁水县 official (who could then act on it); a 城区 colleague can."""
    city = api_as("city_official")
    mine, colleague = api_as("county_official", unit=COUNTY), api_as("county_official", unit=COUNTY)
    stranger = api_as("county_official", unit=OTHER_COUNTY)
    task = review_task(mine, submit(api_as("agency")))
    res = city.post(f"/api/tasks/{task['id']}/reassign", json={"user_id": stranger.user.id})
    assert res.status_code == 422 and res.get_json()["errors"]["user_id"] == ["只能转办给任务所属单位的人员"]
    res = stranger.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 403
    res = city.post(f"/api/tasks/{task['id']}/reassign", json={"user_id": colleague.user.id})
    assert res.status_code == 200 and res.get_json()["assignee"] == colleague.user.username


def test_reassign_of_an_agency_task_stays_within_the_agency(api_as):
    """An agency's correction task cannot be handed to another agency's user."""
    from tests.sanctions_factories import registered_agency
    city, official = api_as("city_official"), api_as("county_official", unit=COUNTY)
    applicant = api_as("agency")
    case_id = submit(applicant)
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "缺页"}})
    assert res.status_code == 200
    [back] = applicant.get("/api/inbox").get_json()["items"]
    _, other_agency = registered_agency(api_as, n=7)
    outsider = api_as("agency", agency_id=other_agency.id)
    res = city.post(f"/api/tasks/{back['id']}/reassign", json={"user_id": outsider.user.id})
    assert res.status_code == 422 and res.get_json()["errors"]["user_id"] == ["只能转办给本机构的其他经办人"]
    assert outsider.get(f"/api/tasks/{back['id']}").status_code == 403


def test_an_expert_does_not_see_a_peers_scoring_task(api_as):
    """Independent scoring: the assigned expert (and city officials) see the task; a peer expert does not."""
    from tests.grading_factories import entry_of, open_round, self_payload
    from tests.sanctions_factories import complete, registered_agency, task_of
    a_api, agency = registered_agency(api_as, n=1)
    first, second, peer = (api_as("expert", name=n) for n in ("甲专家", "乙专家", "丙专家"))
    city = open_round(api_as, [agency], dates=("2027-03-10", "2027-03-25", "2027-04-30"))
    complete(a_api, "self_assessment", self_payload("linyi/grading_sheet"))
    case_id = entry_of(agency).case_id
    complete(city, "form_panel", {"panel": [first.user.id, second.user.id], "lead": first.user.id}, case_id)
    task = task_of(first, "expert_scoring", case_id)
    assert first.get(f"/api/tasks/{task['id']}").status_code == 200
    assert city.get(f"/api/tasks/{task['id']}").status_code == 200
    for expert in (second, peer):
        assert expert.get(f"/api/tasks/{task['id']}").status_code == 403
        assert expert.client.get(f"/tasks/{task['id']}", headers=expert._h()).status_code == 403
        assert task["id"] not in [t["id"] for t in expert.get("/api/inbox").get_json()["items"]]
        res = expert.post(f"/api/tasks/{task['id']}/complete", json={"data": {}})
        assert res.status_code == 403


@pytest.mark.parametrize("role", ["process_owner", "admin"])
def test_process_owners_and_admins_do_not_read_or_upload_to_case_files(api_as, role):
    """A process owner needs diagrams and counts, an administrator accounts: neither reads case files."""
    applicant = api_as("agency")
    case_id = submit(applicant)
    doc_id = db.session.query(Document.id).filter_by(case_id=case_id).limit(1).scalar()
    who = api_as(role)
    for url in (f"/api/cases/{case_id}", f"/api/cases/{case_id}/history", f"/api/documents/{doc_id}",
                f"/api/cases/{case_id}/export", f"/api/cases/{case_id}/diagram"):
        assert who.get(url).status_code == 403, url
    assert who.get("/api/cases").get_json()["items"] == []
    assert who.client.get(f"/cases/{case_id}", headers=who._h()).status_code == 403
    assert who.upload(case_id, "business_license").status_code == 403
    assert who.get("/api/processes/registration/versions/1/diagram").status_code == 200
    auditor = api_as("auditor")  # reads everything, read-only
    assert auditor.get(f"/api/cases/{case_id}").status_code == 200
    assert auditor.upload(case_id, "business_license").status_code == 403
