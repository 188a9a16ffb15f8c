"""Warning interviews (警示约谈), end to end: [JC] 第十七条, [WJ] 第二十四条, [LY22] 五; domain.md §P9."""
import io
from datetime import UTC, datetime

import docx
from freezegun import freeze_time

from models import Bulletin, Case, CaseLink, Document, db
from tests.sanctions_factories import api_maker, complete, registered_agency, task_of
from workflows.timers import tick

NOTICE = {"grounds": ["JC-17-1"], "evidence": "2026年10月监督检查发现安全评价报告遗漏重大危险源辨识",
          "interview_time": "2026-11-23T09:30", "interview_place": "市应急管理局三楼会议室",
          "attendees_required": "主要负责人", "contact_name": "赵科长", "contact_phone": "0356-2020000"}
RECORD = {"attendees": "王建国，总经理\n李娜，技术负责人", "problems": "报告遗漏重大危险源辨识",
          "agency_statement": "承认问题，立即整改", "rectification_requirements": "重新辨识并修改报告\n组织全员培训",
          "rectification_working_days": 10}


def _open(api_as, agency_row, start="2026-11-23 09:00:00+08:00"):
    city, leader = api_as("city_official", name="赵科长"), api_as("leader", name="钱局长")
    res = city.post("/api/cases", json={"process": "interview", "data": dict(NOTICE, agency_id=agency_row.id)})
    assert res.status_code == 201, res.get_json()
    return city, leader, res.get_json()["id"]


def _to_rectification(api_as, agency_api, agency_row):
    city, leader, case_id = _open(api_as, agency_row)
    complete(leader, "approve_notice", {"decision": "approve"})
    complete(agency_api, "acknowledge_notice", {"attendees": "王建国，总经理", "acknowledged": True})
    with freeze_time("2026-11-23 09:45:00+08:00"):  # the record is entered after the interview has begun
        complete(city, "hold_interview", RECORD)
    return city, leader, case_id


def test_interview_opened_by_hand_approved_served_recorded_and_closed(api_as):
    """[JC] 第十七条: notice drafted → leader approves → agency acknowledges → record → rectification accepted."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, _leader, case_id = _to_rectification(api_as, agency_api, agency_row)
        task = task_of(agency_api, "submit_rectification")
        assert task["due_at"].startswith("2026-12-07T16:00:00")  # 10 working days after 11-23, 24:00 +08:00
        evidence = agency_api.upload(case_id, "evidence").get_json()["id"]
        complete(agency_api, "submit_rectification", {"report": "已重新辨识并修改报告", "evidence": evidence})
        complete(city, "review_rectification", {"decision": "accept"})
    case = db.session.get(Case, case_id)
    assert case.status == "completed" and case.outcome == "rectified" and case.agency_id == agency_row.id
    assert db.session.query(Bulletin).count() == 0  # 晋城 has no 通报 rule ([JC] 第十七条)
    notice = db.session.query(Document).filter_by(case_id=case_id, kind="interview_notice").one()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(notice.content)).paragraphs)
    assert agency_row.name in text and "市应急管理局三楼会议室" in text and "第十七条" in text
    record = db.session.query(Document).filter_by(case_id=case_id, kind="interview_record").one()
    body = docx.Document(io.BytesIO(record.content))
    all_text = "\n".join(p.text for p in body.paragraphs) + "\n".join(
        c.text for t in body.tables for r in t.rows for c in r.cells)
    assert "重新辨识并修改报告" in all_text and "王建国" in all_text and "2026年12月7日" in all_text


def test_leader_sends_notice_back_for_redrafting(api_as):
    """A leader may send the draft back with a reason; the official redrafts."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
        city, leader, case_id = _open(api_as, agency_row)
        complete(leader, "approve_notice", {"decision": "return"}, status=422)
        complete(leader, "approve_notice", {"decision": "return", "opinion": "约谈时间与局务会冲突"})
        task = task_of(city, "draft_notice", case_id)
        detail = city.get(f"/api/tasks/{task['id']}").get_json()
        assert detail["prefill"]["interview_place"] == "市应急管理局三楼会议室"
        assert city.post(f"/api/tasks/{task['id']}/complete", json={"data": dict(NOTICE, agency_id=agency_row.id,
                         interview_time="2026-12-02T09:30")}).status_code == 200
        assert task_of(leader, "approve_notice", case_id)


def test_reminder_two_working_days_before_and_overdue_escalation(api_as):
    """Reminder 2 working days before the deadline; past it, the official gets an escalation task."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, _, case_id = _to_rectification(api_as, agency_api, agency_row)
    # deadline 2026-12-07 24:00; reminder at 09:00 on 2026-12-03 (2 working days before 12-07)
    assert tick(datetime(2026, 12, 3, 0, 59, tzinfo=UTC)) == 0
    assert tick(datetime(2026, 12, 3, 1, 1, tzinfo=UTC)) == 1
    with freeze_time("2026-11-23 10:00:00+08:00"):  # while the token of `city` is valid
        events = [e["action"] for e in city.get(f"/api/cases/{case_id}/history").get_json()["events"]]
    assert "reminder_sent" in events
    assert tick(datetime(2026, 12, 7, 16, 1, tzinfo=UTC)) == 1
    with freeze_time("2026-12-08 09:00:00+08:00"):
        city2 = api_as("city_official")
        task = task_of(city2, "overdue_followup", case_id)
        assert task["title"] == "整改逾期督办"
        # the agency may still submit after the escalation
        assert task_of(api_as("agency", agency_id=agency_row.id), "submit_rectification", case_id)


def test_rejected_rectification_refers_to_blacklist_process(api_as):
    """整改不到位 → referral: a linked blacklist case is requested with the interview as its origin."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, _, case_id = _to_rectification(api_as, agency_api, agency_row)
        evidence = agency_api.upload(case_id, "evidence").get_json()["id"]
        complete(agency_api, "submit_rectification", {"report": "已整改", "evidence": evidence})
        complete(city, "review_rectification", {"decision": "refer"}, status=422)
        complete(city, "review_rectification", {"decision": "refer", "opinion": "整改材料虚假"})
    assert db.session.get(Case, case_id).outcome == "referred"
    link = db.session.query(CaseLink).filter_by(origin_case_id=case_id).one()
    assert link.target_process == "blacklist" and link.agency_id == agency_row.id
    target_case_id = link.target_case_id
    # issue 9: the listing case arrives with the agency selected, the interview's facts and its evidence,
    # and each case names the other
    with freeze_time("2026-11-23 10:00:00+08:00"):
        city = api_as("city_official", name="周科长")
        task = task_of(city, "investigate", target_case_id)
        prefill = city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]
        assert prefill["agency_id"] == agency_row.id and "整改材料虚假" in prefill["facts"]
        assert "约谈事实与证据" in prefill["facts"]
        origin_docs = {d.sha256 for d in db.session.query(Document).filter_by(case_id=case_id)}
        carried = {d.sha256 for d in db.session.query(Document).filter_by(case_id=target_case_id)}
        assert origin_docs and origin_docs <= carried
        from tests.factories import PASSWORD
        web = city.client
        web.post("/login", data={"username": city.user.username, "password": PASSWORD})
        assert f"/cases/{target_case_id}" in web.get(f"/cases/{case_id}").get_data(as_text=True)
        assert f"/cases/{case_id}" in web.get(f"/cases/{target_case_id}").get_data(as_text=True)
        web.post("/logout")


def test_interview_opened_by_another_process_through_a_link(api_as, app):
    """The one documented call (links.request_case) opens an interview with the ground preselected."""
    from workflows.links import request_case
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
        link = request_case("interview", agency_id=agency_row.id, ground="JC-17-2", origin_case_id=None)
        db.session.commit()
        status, target_case_id = link.status, link.target_case_id
        assert status == "started"
        city = api_as("city_official")
        task = task_of(city, "draft_notice", target_case_id)
        prefill = city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]
        assert prefill["grounds"] == ["JC-17-2"] and prefill["agency_id"] == agency_row.id


def test_wrong_roles_refused(api_as):
    """Only city officials open interviews; only leaders approve; other agencies see nothing."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        res = agency_api.post("/api/cases", json={"process": "interview", "data": dict(NOTICE, agency_id=agency_row.id)})
        assert res.status_code == 403
        city, leader, case_id = _open(api_as, agency_row)
        task = task_of(leader, "approve_notice", case_id)
        assert city.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 403
        other, _ = registered_agency(api_as, n=2)
        assert other.get(f"/api/cases/{case_id}").status_code == 403


def test_printable_notice_and_record_pages(api_as, client):
    """Notices print on A4 from the same facts as the Word file; the page links the .docx and shows its hash."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, _, case_id = _to_rectification(api_as, agency_api, agency_row)
        headers = {"Authorization": f"Bearer {city.token}"}
        page = client.get(f"/cases/{case_id}/print/interview_notice", headers=headers).get_data(as_text=True)
        assert "警示约谈通知书" in page and "市应急管理局三楼会议室" in page and "SHA-256" in page
        page = client.get(f"/cases/{case_id}/print/interview_record", headers=headers).get_data(as_text=True)
        assert "组织全员培训" in page and "2026年12月7日24时" in page
        assert client.get(f"/cases/{case_id}/print/blacklist_decision", headers=headers).status_code == 404


def test_wujin_publishes_a_bulletin_after_the_interview(tmp_path, _template_db):
    """[WJ] 第二十四条: 武进 publishes a 通报; the public bulletin page shows it without login."""
    from tests.conftest import make_app
    app = make_app(tmp_path, _template_db, ANFU_CITY="wujin")
    with app.app_context():
        client, api_as = api_maker(app)

        with freeze_time("2026-11-23 09:00:00+08:00"):
            agency_api, agency_row = registered_agency(api_as, county="320412")
            ground = app.config["CITY_POLICY"].interview_grounds[0]["code"]
            city, leader = api_as("city_official"), api_as("leader")
            res = city.post("/api/cases", json={"process": "interview", "data": dict(
                NOTICE, grounds=[ground], agency_id=agency_row.id)})
            case_id = res.get_json()["id"]
            complete(leader, "approve_notice", {"decision": "approve"})
            complete(agency_api, "acknowledge_notice", {"attendees": "王建国，总经理", "acknowledged": True})
            with freeze_time("2026-11-23 09:45:00+08:00"):
                complete(city, "hold_interview", RECORD)
            evidence = agency_api.upload(case_id, "evidence").get_json()["id"]
            complete(agency_api, "submit_rectification", {"report": "已整改", "evidence": evidence})
            complete(city, "review_rectification", {"decision": "accept"})
            assert db.session.query(Bulletin).count() == 1
            assert agency_row.name in client.get("/public/bulletins").get_data(as_text=True)
        db.engine.dispose()


def test_grading_ground_alias_resolves_in_linyi(tmp_path, _template_db):
    """A 差 grading asks with ground 'linyi_poor_grade': the interview preselects [LY22] 五 评估70分以下."""
    from tests.conftest import make_app
    from workflows.links import request_case
    app = make_app(tmp_path, _template_db, ANFU_CITY="linyi")
    with app.app_context():
        from models import Agency
        from workflows.clock import now
        agency = Agency(name="临沂测试安全评价有限公司", credit_code="91371300MA0000001T", legal_representative="张",
                        contact_person="李", contact_phone="13800138000", email="a@b.cn", address="临沂",
                        county_code="371302", staff_count=10, service_categories=["安全评估评价"], business_scope="评价",
                        status="registered", registered_on=now().date(), created_at=now())
        db.session.add(agency)
        db.session.flush()
        link = request_case("interview", agency_id=agency.id, ground="linyi_poor_grade", origin_case_id=None)
        db.session.commit()
        from workflows.engine import load_workflow
        case = db.session.get(Case, link.target_case_id)
        wf = load_workflow(case.workflow_json, case.process_version)
        from workflows.engine import ready_user_tasks
        assert ready_user_tasks(wf)[0].data["prepared"]["grounds"] == ["LY-5-1"]
        db.engine.dispose()
