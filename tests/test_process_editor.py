"""Process owners change a procedure through the API: drafts checked on save, publishing, re-publishing.

Issue 5 "Process owners": only process owners save, publish or migrate; a valid draft becomes the next version
used by new cases while running cases finish on theirs; every change is audited with its publisher and reason.
"""
import json

from models import AuditEvent, Case, ProcessDraft, ProcessVersion, db
from tests.process_edits import REGISTRATION, with_recheck
from tests.test_registration import review_task, submit

COUNTY = "140502"


def save(owner, xml: str, **extra):
    res = owner.post("/api/processes/registration/drafts", json={"bpmn": xml, **extra})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def publish(owner, draft_id: int, reason: str = "增加县级复核环节（局务会决定）"):
    return owner.post(f"/api/processes/registration/drafts/{draft_id}/publish", json={"reason": reason})


def test_published_edit_is_used_by_new_cases_while_an_old_case_finishes_on_its_version(api_as):
    """A valid draft becomes version 2; the case started on version 1 finishes without the new step."""
    owner = api_as("process_owner")
    agency_old, agency_new = api_as("agency"), api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    old_case = submit(agency_old, n=1)
    draft = save(owner, with_recheck())
    assert draft["problems"] == [] and draft["publishable"] and draft["base_version"] == 1
    res = publish(owner, draft["id"])
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["version"] == 2 and res.get_json()["deployed_by"] == owner.user.display_name

    new_case = submit(agency_new, n=2)
    assert db.session.get(Case, new_case).process_version.version == 2
    assert db.session.get(Case, old_case).process_version.version == 1
    task = review_task(official, new_case)
    official.post(f"/api/tasks/{task['id']}/claim")
    assert official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 200
    recheck = review_task(official, new_case)
    assert recheck["name"] == "recheck_review" and recheck["title"] == "县级复核登记材料"
    official.post(f"/api/tasks/{recheck['id']}/claim")
    res = official.post(f"/api/tasks/{recheck['id']}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 200, res.get_json()
    assert official.get(f"/api/cases/{new_case}").get_json()["status"] == "completed"

    task = review_task(official, old_case)
    official.post(f"/api/tasks/{task['id']}/claim")
    official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "reject", "opinion": "不符合条件"}})
    case = official.get(f"/api/cases/{old_case}").get_json()
    assert case["status"] == "completed" and case["process_version"] == 1


def test_publishing_is_audited_with_publisher_and_required_reason(api_as):
    """The reason is required (422, nothing published) and recorded with the publisher."""
    owner = api_as("process_owner", name="流程管理员甲")
    draft = save(owner, with_recheck())
    res = publish(owner, draft["id"], reason=" ")
    assert res.status_code == 422 and "reason" in res.get_json()["errors"]
    assert db.session.query(ProcessVersion).filter_by(process_key="registration").count() == 1
    assert publish(owner, draft["id"]).status_code == 201
    events = {e.action: json.loads(e.detail) for e in db.session.query(AuditEvent)
              if e.action in ("process_published", "process_deployed", "process_draft_saved")}
    assert events["process_published"]["reason"] == "增加县级复核环节（局务会决定）"
    assert events["process_published"]["version"] == 2 and events["process_published"]["based_on"] == 1
    published = db.session.query(AuditEvent).filter_by(action="process_published").one()
    assert published.actor_name == "流程管理员甲" and published.role == "process_owner"
    assert publish(owner, draft["id"]).status_code == 409  # a draft is published once


def test_draft_with_problems_is_saved_with_them_but_cannot_be_published(api_as):
    """Saving lists the problem on its element; publishing is refused until it is fixed."""
    owner = api_as("process_owner")
    draft = save(owner, with_recheck(form="registration_recheck_v9"))
    assert not draft["publishable"]
    [problem] = draft["problems"]
    assert problem["element_id"] == "recheck_review" and "registration_recheck_v9" in problem["message"]
    res = publish(owner, draft["id"])
    assert res.status_code == 422 and "recheck_review" in res.get_json()["errors"]
    assert db.session.query(ProcessVersion).filter_by(process_key="registration").count() == 1
    res = owner.client.put(f"/api/processes/registration/drafts/{draft['id']}", json={"bpmn": with_recheck()},
                           headers=owner._h())
    assert res.status_code == 200 and res.get_json()["problems"] == []
    assert publish(owner, draft["id"]).status_code == 201


def test_earlier_version_can_be_republished_as_the_newest(api_as):
    """Re-publishing version 1 after version 2 gives version 3 with version 1's diagram; new cases use it."""
    owner, agency = api_as("process_owner"), api_as("agency")
    publish(owner, save(owner, with_recheck())["id"])
    res = owner.post("/api/processes/registration/versions/1/republish", json={"reason": "撤回复核环节"})
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["version"] == 3
    v3 = db.session.query(ProcessVersion).filter_by(version=3).one()
    assert v3.bpmn_xml == REGISTRATION and "recheck_review" not in v3.bpmn_xml
    case_id = submit(agency)
    assert db.session.get(Case, case_id).process_version.version == 3
    event = db.session.query(AuditEvent).filter_by(action="process_republished").one()
    detail = json.loads(event.detail)
    assert detail["from_version"] == 1 and detail["version"] == 3 and detail["reason"] == "撤回复核环节"
    assert owner.post("/api/processes/registration/versions/1/republish", json={}).status_code == 422
    assert owner.post("/api/processes/registration/versions/9/republish", json={"reason": "x理由"}).status_code == 404


def test_versions_list_diagram_and_diff(api_as):
    """The catalogue lists versions; the diagram endpoint adds a layout; the diff names the new task."""
    owner = api_as("process_owner")
    publish(owner, save(owner, with_recheck())["id"])
    items = owner.get("/api/processes").get_json()["items"]
    [reg] = [p for p in items if p["key"] == "registration"]
    assert [v["version"] for v in reg["versions"]] == [2, 1] and reg["versions"][1]["reason"]
    diagram = owner.get("/api/processes/registration/versions/1/diagram").get_json()
    assert diagram["auto_layout"] and 'bpmnElement="county_review"' in diagram["xml"]
    diff = owner.get("/api/processes/registration/diff?from=1&to=2").get_json()
    assert [t["id"] for t in diff["added"]] == ["recheck_review"] and diff["removed"] == []
    changed = {t["id"]: t["changes"] for t in diff["changed"]}
    assert "后续连线" in changed["county_review"] and "decision_gateway" in changed
    assert owner.get("/api/processes/registration/diff?from=1").status_code == 422


def test_unsafe_or_unparsable_xml_is_refused_and_nothing_is_stored(api_as):
    """XXE / billion laughs and malformed XML: 422 naming the problem, no draft stored, nothing expanded."""
    from tests.test_bpmn_validation import fixture
    owner = api_as("process_owner")
    for name in ("xxe.bpmn", "billion_laughs.bpmn"):
        res = owner.post("/api/processes/registration/drafts", json={"bpmn": fixture(name).decode()})
        assert res.status_code == 422 and "DOCTYPE" in res.get_json()["errors"]["bpmn"][0]
        assert "root:" not in res.get_data(as_text=True) and "lollol" not in res.get_data(as_text=True)
    res = owner.post("/api/processes/registration/drafts",
                     json={"bpmn": REGISTRATION, "dmn": {"grade": fixture("xxe.dmn").decode()}})
    assert res.status_code == 422 and "dmn.grade" in res.get_json()["errors"]
    res = owner.post("/api/processes/registration/drafts", json={"bpmn": fixture("malformed.bpmn").decode()})
    assert res.status_code == 422 and "不是合法的 XML" in res.get_json()["errors"]["bpmn"][0]
    assert owner.post("/api/processes/registration/drafts", json={}).status_code == 422
    assert db.session.query(ProcessDraft).count() == 0
