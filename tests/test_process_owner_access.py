"""Only process owners save, publish, re-publish or migrate (issue 5); every action endpoint refuses the rest."""
import pytest

from models import ProcessDraft, ProcessVersion, db
from tests.process_edits import REGISTRATION, with_recheck
from tests.test_registration import submit

OTHERS = ["agency", "county_official", "city_official", "leader", "expert", "auditor", "admin"]
BASE = "/api/processes/registration"


@pytest.fixture
def prepared(api_as):
    """A draft with a valid edit and a published version 2, by a process owner."""
    owner = api_as("process_owner")
    draft = owner.post(f"{BASE}/drafts", json={"bpmn": with_recheck()}).get_json()
    other = owner.post(f"{BASE}/drafts", json={"bpmn": with_recheck()}).get_json()
    owner.post(f"{BASE}/drafts/{other['id']}/publish", json={"reason": "先发布一版"})
    return draft


@pytest.mark.parametrize("role", OTHERS)
def test_non_owners_cannot_save_publish_republish_or_migrate(api_as, prepared, role):
    unit = "140502" if role == "county_official" else None
    user = api_as(role, unit=unit)
    case_id = submit(api_as("agency"), n=1) if role == "agency" else 1
    attempts = [
        ("post", f"{BASE}/drafts", {"bpmn": REGISTRATION}),
        ("put", f"{BASE}/drafts/{prepared['id']}", {"bpmn": REGISTRATION}),
        ("post", f"{BASE}/drafts/{prepared['id']}/publish", {"reason": "越权发布"}),
        ("post", f"{BASE}/versions/1/republish", {"reason": "越权发布"}),
        ("post", f"{BASE}/migrations", {"to_version": 2, "case_ids": [case_id]}),
        ("get", f"{BASE}/migrations?to=2", None),
        ("get", f"{BASE}/drafts/{prepared['id']}", None),
    ]
    for method, url, body in attempts:
        res = getattr(user.client, method)(url, json=body, headers=user._h())
        assert res.status_code == 403, (method, url, res.get_json())
        assert res.get_json()["error"] == "forbidden"
    assert db.session.query(ProcessVersion).filter_by(process_key="registration").count() == 2
    assert db.session.query(ProcessDraft).filter_by(status="draft").count() == 1


@pytest.mark.parametrize(("role", "lists", "diagram"), [
    ("auditor", 200, 200), ("admin", 200, 200), ("county_official", 403, 200), ("agency", 403, 403),
])
def test_readers_of_versions_and_diagrams(api_as, role, lists, diagram):
    user = api_as(role, unit="140502" if role == "county_official" else None)
    assert user.get("/api/processes").status_code == lists
    assert user.get(f"{BASE}/diff?from=1&to=1").status_code == lists
    assert user.get(f"{BASE}/versions/1/diagram").status_code == diagram


def test_anonymous_is_refused(client):
    assert client.post(f"{BASE}/drafts", json={"bpmn": REGISTRATION}).status_code == 401
    assert client.get(f"{BASE}/versions/1/diagram").status_code == 401
