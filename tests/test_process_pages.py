"""Process owners' pages (server-rendered): catalogue, versions, editor, diff, migration, re-publishing."""
from models import Case, ProcessVersion, db
from tests.factories import PASSWORD
from tests.process_edits import with_recheck
from tests.test_registration import submit


def login(client, user) -> None:
    res = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert res.status_code == 302


def test_owner_pages_render_and_migrate_and_republish(api_as, client):
    owner = api_as("process_owner")
    case_id = submit(api_as("agency"))
    draft = owner.post("/api/processes/registration/drafts", json={"bpmn": with_recheck()}).get_json()
    owner.post(f"/api/processes/registration/drafts/{draft['id']}/publish", json={"reason": "增加复核"})
    login(client, owner.user)
    assert "初次登记建档" in client.get("/processes").get_data(as_text=True)
    page = client.get("/processes/registration").get_data(as_text=True)
    assert "第 2 版" in page and "重新发布为新版本" in page
    editor = client.get("/processes/registration/versions/2/edit").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in editor and "registration_review" in editor
    assert "county_official" in editor and "dueDateVariable" not in editor
    diff = client.get("/processes/registration/diff?from=1&to=2").get_data(as_text=True)
    assert 'data-element-id="recheck_review"' in diff and "后续连线" in diff
    plan = client.get("/processes/registration/migrate?to=2").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in plan and "可以迁移" in plan
    res = client.post("/processes/registration/migrate", data={"to": "2", "case_ids": [str(case_id)]})
    assert "已迁移" in res.get_data(as_text=True)
    assert db.session.get(Case, case_id).process_version.version == 2
    res = client.post("/processes/registration/versions/1/republish", data={"reason": ""}, follow_redirects=True)
    assert "请填写发布理由" in res.get_data(as_text=True)
    res = client.post("/processes/registration/versions/1/republish", data={"reason": "撤回复核"},
                      follow_redirects=True)
    assert "重新发布为第 3 版" in res.get_data(as_text=True)
    assert db.session.query(ProcessVersion).filter_by(process_key="registration").count() == 3


def test_pages_refuse_other_roles(api_as, client):
    official = api_as("county_official", unit="140502")
    login(client, official.user)
    assert client.get("/processes").status_code == 403
    assert client.get("/processes/registration/versions/1/edit").status_code == 403
    assert client.post("/processes/registration/migrate", data={"to": "1", "case_ids": ["1"]}).status_code == 403
    assert client.post("/processes/registration/versions/1/republish", data={"reason": "越权"}).status_code == 403
    auditor = api_as("auditor")
    client.post("/logout")
    login(client, auditor.user)
    assert client.get("/processes/registration/diff?from=1&to=1").status_code == 200
    assert client.get("/processes/registration/versions/1/edit").status_code == 403
    assert client.post("/processes/registration/versions/1/republish", data={"reason": "越权"}).status_code == 403
