"""暂存 (issue 9 import dead end; issue 12 registration drafts): a half-filled form is kept for its author only
and restored when the task is opened again; completing the task discards it."""
from models import TaskDraft, db
from tests.factories import PASSWORD


def _login(client, user):
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_a_saved_draft_is_restored_for_its_author_and_discarded_on_completion(client, api_as):
    agency = api_as("agency")
    case = agency.post("/api/cases", json={"process": "registration"}).get_json()
    task_id = case["open_tasks"][0]["id"]
    _login(client, agency.user)
    res = client.post(f"/tasks/{task_id}/draft", data={"name": "晋城市暂存测试有限公司", "address": "凤台东街1号",
                                                       "service_categories": ["安全培训"]})
    assert res.status_code == 302
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "晋城市暂存测试有限公司" in page and "凤台东街1号" in page and "暂存的内容" in page
    assert 'value="安全培训" checked' in page
    # nothing of the draft is case data
    assert "晋城市暂存测试有限公司" not in str(agency.get(f"/api/cases/{case['id']}").get_json())
    # a colleague of the same agency account type sees the task but not my draft
    other = api_as("agency")
    _login(client, other.user)
    assert client.post(f"/tasks/{task_id}/draft", data={"name": "x"}).status_code in (403, 404)
    assert db.session.query(TaskDraft).count() == 1
    # completing discards it
    from flask import current_app

    from tests.factories import application, with_documents
    from tests.test_registration import COUNTY
    kinds = [m["kind"] for m in current_app.config["CITY_POLICY"].registration_materials
             if m.get("required") is True or m.get("when")]
    client.post("/logout")
    data = with_documents(agency, case["id"], application(COUNTY), kinds)
    _login(client, agency.user)
    form = {k: (v if not isinstance(v, bool) else ("on" if v else "")) for k, v in data.items()}
    res = client.post(f"/tasks/{task_id}", data=form)
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.query(TaskDraft).count() == 0
