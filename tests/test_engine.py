"""The case engine: races, the audit chain, the restricted script engine on a deployed diagram, OpenAPI."""
import threading
from pathlib import Path

from sqlalchemy import text

from models import AuditEvent, Case, db
from tests.factories import application, with_documents
from workflows.audit import verify_chain

COUNTY = "140502"

HOSTILE_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
  <bpmn:process id="registration" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="agency"><bpmn:flowNodeRef>s</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="evil"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="evil" /><bpmn:sequenceFlow id="f2" sourceRef="evil" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def _registration_under_review(api_as):
    agency = api_as("agency")
    case = agency.post("/api/cases", json={"process": "registration"}).get_json()
    data = with_documents(agency, case["id"], application(COUNTY))
    agency.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
    return case["id"]


def test_concurrent_completion_exactly_one_wins_the_others_get_409_naming_who(app, api_as):
    """Two (here four) officials submit the same task at once: one wins, the rest get 409 naming the winner."""
    case_id = _registration_under_review(api_as)
    officials = [api_as("county_official", unit=COUNTY, name=f"审核员{i}") for i in range(4)]
    task_id = officials[0].get("/api/inbox").get_json()["items"][0]["id"]
    barrier, results = threading.Barrier(len(officials)), {}

    def act(i, api):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            res = client.post(f"/api/tasks/{task_id}/complete", json={"data": {"decision": "approve"}},
                              headers={"Authorization": f"Bearer {api.token}"})
            results[i] = (res.status_code, res.get_json())
            db.session.remove()

    threads = [threading.Thread(target=act, args=(i, a)) for i, a in enumerate(officials)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results.values())
    assert codes == [200, 409, 409, 409], results
    winner = next(i for i, (c, _) in results.items() if c == 200)
    for code, body in results.values():
        if code == 409:
            assert f"审核员{winner}" in body["message"], body
    db.session.expire_all()
    assert db.session.get(Case, case_id).outcome == "approved"


def test_claim_race_second_claimer_told_who_was_first(api_as):
    """Claim only if unclaimed; the second claimant learns who holds it."""
    _registration_under_review(api_as)
    first = api_as("county_official", unit=COUNTY, name="张审核")
    second = api_as("county_official", unit=COUNTY, name="李审核")
    task_id = first.get("/api/inbox").get_json()["items"][0]["id"]
    assert first.post(f"/api/tasks/{task_id}/claim").status_code == 200
    res = second.post(f"/api/tasks/{task_id}/claim")
    assert res.status_code == 409 and "张审核" in res.get_json()["message"]
    res = second.post(f"/api/tasks/{task_id}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 409 and "张审核" in res.get_json()["message"]
    assert [t["id"] for t in first.get("/api/inbox?scope=mine").get_json()["items"]] == [task_id]
    assert second.get("/api/inbox?scope=unclaimed").get_json()["items"] == []
    assert first.post(f"/api/tasks/{task_id}/unclaim").status_code == 200
    assert [t["id"] for t in second.get("/api/inbox?scope=unclaimed").get_json()["items"]] == [task_id]


def test_reassign_by_city_official_only(api_as):
    """转办: a city official hands a task to another user of its role; a county official cannot."""
    _registration_under_review(api_as)
    county = api_as("county_official", unit=COUNTY)
    other = api_as("county_official", unit=COUNTY, name="王审核")
    city = api_as("city_official")
    task_id = county.get("/api/inbox").get_json()["items"][0]["id"]
    assert county.post(f"/api/tasks/{task_id}/reassign", json={"user_id": other.user.id}).status_code == 403
    res = city.post(f"/api/tasks/{task_id}/reassign", json={"user_id": other.user.id})
    assert res.status_code == 200 and res.get_json()["assignee"] == "王审核"
    assert city.post(f"/api/tasks/{task_id}/reassign", json={"user_id": city.user.id}).status_code == 422


def test_tampered_audit_event_is_detected_by_verify_command(app, api_as):
    """`flask audit verify` exits 1 and names the first altered event; also a deleted one."""
    _registration_under_review(api_as)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "OK" in ok.output
    target = db.session.query(AuditEvent).filter_by(action="task_completed").first()
    db.session.execute(text("UPDATE audit_event SET detail = :d WHERE seq = :s"), {"d": '{"forged": 1}', "s": target.seq})
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and f"event {target.seq}" in bad.output
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == target.seq


def test_deleted_audit_event_is_detected(app, api_as):
    """A missing event breaks the chain at its sequence number."""
    _registration_under_review(api_as)
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    db.session.commit()
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == 3


def test_malicious_scripts_refused_at_deploy(app):
    """A diagram whose script imports os or walks dunder attributes is refused at deploy, naming the element."""
    from workflows.deploy import deploy_version
    from workflows.errors import InvalidInput
    for script in ("__import__('os').system('touch /tmp/anfu-pwned')",
                   "x = ().__class__.__base__.__subclasses__()"):
        xml = HOSTILE_PROCESS.replace("{script}", script).encode()
        try:
            deploy_version("registration", xml, {})
        except InvalidInput as err:
            assert "evil" in err.errors
        else:
            raise AssertionError("hostile diagram deployed")


def test_malicious_expression_at_runtime_fails_and_case_is_unchanged(app, api_as, tmp_path):
    """Even if a hostile expression reaches a running case, the restricted engine refuses it; nothing is saved."""
    from models import ProcessVersion
    case_id = _registration_under_review(api_as)
    official = api_as("county_official", unit=COUNTY)
    task_id = official.get("/api/inbox").get_json()["items"][0]["id"]
    version = db.session.get(Case, case_id).process_version
    canary = tmp_path / "pwned"
    hostile = version.bpmn_xml.replace('decision == "approve"',
                                       f"__import__('os').system('touch {canary}') or True")
    db.session.execute(text("UPDATE process_version SET bpmn_xml = :x, checksum = 'tampered' WHERE id = :i"),
                       {"x": hostile, "i": version.id})
    db.session.commit()
    db.session.expire_all()
    before = db.session.get(Case, case_id).version
    res = official.post(f"/api/tasks/{task_id}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 422 and res.get_json()["error"] == "engine_error"
    assert not canary.exists()
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.version == before and case.status == "running" and case.last_error
    assert [t["id"] for t in official.get("/api/inbox").get_json()["items"]] == [task_id]
    assert db.session.query(AuditEvent).filter_by(action="engine_error", case_id=case_id).count() == 1
    assert db.session.query(ProcessVersion).count() >= 1


def test_openapi_document_lists_the_api(client):
    """GET /api/openapi.json is an OpenAPI 3 document with the endpoints outside tools use."""
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/tokens", "/api/inbox", "/api/tasks/{task_id}", "/api/tasks/{task_id}/complete",
                 "/api/cases", "/api/cases/{case_id}", "/api/cases/{case_id}/history",
                 "/api/cases/{case_id}/documents", "/api/units"):
        assert path in doc["paths"], path


def test_units_are_the_city_and_its_counties(client):
    """GET /api/units lists GB/T 2260 codes of the deployment city (晋城 by default)."""
    items = client.get("/api/units").get_json()["items"]
    codes = {u["code"]: u for u in items}
    assert codes["140500"]["parent"] is None and codes["140502"]["parent"] == "140500"


def test_unauthenticated_and_bad_token_get_401(client):
    """No token, or a wrong one → 401 JSON."""
    assert client.get("/api/inbox").status_code == 401
    res = client.get("/api/inbox", headers={"Authorization": "Bearer nope"})
    assert res.status_code == 401 and res.get_json()["error"] == "unauthorized"
    bad = client.post("/api/tokens", json={"username": "x", "password": "y"})
    assert bad.status_code == 401
    assert client.post("/api/tokens", json={}).status_code == 422


def test_unknown_role_form_or_handler_refused_at_deploy_naming_the_element(app):
    """A diagram naming a lane that is not a role, an unregistered form or service is refused at deploy."""
    from workflows.deploy import deploy_version
    from workflows.errors import InvalidInput
    xml = Path("bpmn/registration.bpmn").read_text(encoding="utf-8")
    broken = (xml.replace('name="county_official"', 'name="mayor"')
              .replace('value="registration_review"', 'value="no_such_form"')
              .replace('id="route_registration"', 'id="no_such_service"'))
    try:
        deploy_version("registration", broken.encode(), {})
    except InvalidInput as err:
        assert "Lane_county" in err.errors and "mayor" in err.errors["Lane_county"][0]
        assert "county_review" in err.errors and "no_such_form" in err.errors["county_review"][0]
        assert "route_case" in err.errors and "no_such_service" in err.errors["route_case"][0]
    else:
        raise AssertionError("broken diagram deployed")
