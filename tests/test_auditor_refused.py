"""An auditor reads everything and acts on nothing: every action endpoint answers 403 and changes nothing."""
import io

from models import AuditEvent, Case, Document, OpenTask, db
from tests.factories import PASSWORD, PDF
from tests.test_registration import COUNTY, review_task, submit

NOT_ACTIONS = {"web.login", "web.logout", "api.create_token",  # signing in and out acts on no case
               "web.logout_everywhere", "api.delete_current_token",  # nor does ending one's own access
               "public_grading.objection",  # a public form anyone may use, without logging in
               "web.signup_page",  # an agency's own sign-up (a logged-in user is sent home; no case is touched)
               # marking one's own notices read changes nothing of any case
               "api.post_notification_read", "api.post_notifications_read_all", "web.open_notification",
               "web.read_all_notifications"}
API_ACTIONS = {"api.post_case", "api.post_claim", "api.post_unclaim", "api.post_reassign", "api.post_complete",
               "api.post_document"}
WEB_ACTIONS = {"web.new_case", "web.submit_task", "web.claim", "web.unclaim"}


def _state() -> tuple:
    tasks = sorted((t.id, t.assignee_id) for t in db.session.query(OpenTask))
    return tasks, db.session.query(Case).count(), db.session.query(Document).count()


def _setup(api_as):
    """An unclaimed review task (A) and one claimed by the county official (B)."""
    official = api_as("county_official", unit=COUNTY)
    case_a = submit(api_as("agency"), n=1)
    case_b = submit(api_as("agency"), n=2)
    task_a, task_b = review_task(official, case_a)["id"], review_task(official, case_b)["id"]
    assert official.post(f"/api/tasks/{task_b}/claim").status_code == 200
    return official, case_a, task_a, task_b


def test_auditor_is_refused_on_every_action_endpoint(api_as, app):
    """claim, unclaim, reassign, complete, POST /api/cases, document upload and every web form post → 403."""
    official, case_a, task_a, task_b = _setup(api_as)
    auditor = api_as("auditor")
    before = _state()
    api_calls = {
        "api.post_case": lambda: auditor.post("/api/cases", json={"process": "registration"}),
        "api.post_claim": lambda: auditor.post(f"/api/tasks/{task_a}/claim"),
        "api.post_unclaim": lambda: auditor.post(f"/api/tasks/{task_b}/unclaim"),
        "api.post_reassign": lambda: auditor.post(f"/api/tasks/{task_a}/reassign",
                                                  json={"user_id": official.user.id}),
        "api.post_complete": lambda: auditor.post(f"/api/tasks/{task_a}/complete",
                                                  json={"data": {"decision": "approve"}}),
        "api.post_document": lambda: auditor.upload(case_a, "business_license"),
    }
    for endpoint, call in api_calls.items():
        res = call()
        assert res.status_code == 403, (endpoint, res.get_json())
        assert res.get_json()["error"] == "forbidden"

    web = app.test_client()  # a browser session of its own
    assert web.post("/login", data={"username": auditor.user.username, "password": PASSWORD}).status_code == 302
    web_calls = {
        "web.new_case": lambda: web.post("/cases/new", data={"process": "registration"}),
        "web.submit_task": lambda: web.post(f"/tasks/{task_a}", data={"decision": "approve"}),
        "web.claim": lambda: web.post(f"/tasks/{task_a}/claim"),
        "web.unclaim": lambda: web.post(f"/tasks/{task_b}/unclaim"),
    }
    for endpoint, call in web_calls.items():
        res = call()
        assert res.status_code == 403, (endpoint, res.status_code)
        assert "无权" in res.get_data(as_text=True) or "不属于" in res.get_data(as_text=True) \
            or "审计人员只能查阅" in res.get_data(as_text=True)
    res = web.post(f"/tasks/{task_a}", data={"decision": "approve", "file_opinion": (io.BytesIO(PDF), "a.pdf")},
                   content_type="multipart/form-data")
    assert res.status_code == 403

    assert _state() == before
    acted = db.session.query(AuditEvent.action).filter(AuditEvent.actor_id == auditor.user.id).all()
    assert {a for (a,) in acted} <= {"login_succeeded", "user_created"}
    assert set(api_calls) == API_ACTIONS and set(web_calls) == WEB_ACTIONS


def test_every_other_state_changing_route_refuses_auditors(api_as, app):
    """Any POST/PUT/PATCH/DELETE route not named above (e.g. added later) also refuses an auditor."""
    official, case_a, task_a, _ = _setup(api_as)
    auditor = api_as("auditor")
    web = app.test_client()
    web.post("/login", data={"username": auditor.user.username, "password": PASSWORD})
    before = _state()
    values = {"case_id": case_a, "task_id": task_a, "doc_id": 1, "user_id": official.user.id}
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not methods or rule.endpoint in NOT_ACTIONS | API_ACTIONS | WEB_ACTIONS:
            continue
        url = rule.build({a: values.get(a, 1 if "int" in str(rule._converters[a]).lower() else "registration")
                          for a in rule.arguments}, append_unknown=False)[1]
        for method in methods:
            res = (auditor.client.open(url, method=method, headers=auditor._h(), json={})
                   if url.startswith("/api/") else web.open(url, method=method, data={}))
            assert res.status_code in (403, 404, 422), (rule.endpoint, method, res.status_code)
    assert _state() == before


def test_read_only_guard_refuses_auditors_at_every_door():
    """The guard itself: auditors are refused whatever the action; others pass it."""
    from types import SimpleNamespace

    from workflows.auditing import refuse_read_only_roles
    auditor, official = SimpleNamespace(role="auditor"), SimpleNamespace(role="county_official")
    for action in ("start:registration", "complete:registration:county_review", "claim", "upload"):
        assert "审计人员只能查阅" in refuse_read_only_roles(auditor, action)
        assert refuse_read_only_roles(official, action) is None
