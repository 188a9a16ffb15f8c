"""Issue 9: a listing's effect on the agency's running cases is a policy rule applied when listed
(policies/common/sanctions.yaml: grading suspended with a visible notice; other processes continue)."""
from datetime import date

from freezegun import freeze_time

from models import AuditEvent, Listing, db
from tests.factories import PASSWORD
from tests.grading_factories import entry_of, open_round, self_payload
from tests.sanctions_factories import complete, registered_agency, task_of
from tests.test_blacklist import INVESTIGATION, _decide

LINYI = "linyi/grading_sheet"


def test_listing_suspends_the_running_grading_with_a_notice_and_lifting_resumes_it(api_as, client):
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency = registered_agency(api_as)
        city = open_round(api_as, [agency], dates=("2026-12-10", "2026-12-20", "2027-01-15"))
        complete(agency_api, "self_assessment", self_payload(LINYI))
        experts = [api_as("expert", name=f"专家{i}") for i in range(2)]
        case_id = entry_of(agency).case_id
        complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, case_id)
        task = task_of(experts[0], "expert_scoring", case_id)
        # the agency is listed through the blacklist process
        leader = api_as("leader")
        res = city.post("/api/cases", json={"process": "blacklist", "data": dict(INVESTIGATION, agency_id=agency.id)})
        assert res.status_code == 201, res.get_json()
        bl = res.get_json()["id"]
        complete(leader, "approve_notice", {"notice_decision": "approve"}, bl)
        complete(agency_api, "file_defence", {"statement": "不知情"})
        _decide(city, leader, bl)
        assert db.session.query(Listing).filter_by(agency_id=agency.id, status="active").count() == 1
        ev = db.session.query(AuditEvent).filter_by(case_id=case_id, action="listing_effect").one()
        assert '"suspend"' in ev.detail
        # the expert sees why, and cannot score while the listing is in force
        res = experts[0].post(f"/api/tasks/{task['id']}/complete", json={"data": {}})
        assert res.status_code == 403 and "暂停办理" in res.get_json()["message"]
        assert client.post("/login", data={"username": experts[0].user.username, "password": PASSWORD}).status_code == 302
        page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
        assert "已被列入安全生产严重失信主体名单" in page and "暂停办理" in page
        notes = experts[0].get("/api/notifications").get_json()["items"]
        assert any(n["kind"] == "listing_effect" for n in notes)
        # lifting (here: the listing ends) resumes the case
        db.session.query(Listing).filter_by(agency_id=agency.id).update({"status": "lifted", "removed_on": date(2026, 11, 24)})
        db.session.commit()
        res = experts[0].post(f"/api/tasks/{task['id']}/complete", json={"data": {}})
        assert res.status_code != 403, res.get_json()
