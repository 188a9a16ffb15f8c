"""Lawfulness gaps found by checking the running system against the seeds (issue 11), through HTTP.

[JC] 第二十二条 (the 晋城 办法 valid two years from 2024-04-16); [JC] 第十八条 and 应急管理部令第11号 第二条 (listing
reaches 安全评价、认证、检测、检验 agencies); [LY22] 五、六(三) (差: 警告、责令限期停业整改, six services barred);
[LY22] 三(六)2 (veto → 差).
"""
import io

import docx
from freezegun import freeze_time

from models import CaseLink, Document, Listing, db
from tests.conftest import make_app
from tests.factories import PDF
from tests.grading_factories import (
    LINYI,
    confirm_final,
    confirm_publicity,
    entry_of,
    open_round,
    self_payload,
)
from tests.sanctions_factories import api_maker, complete, insert_agency, registered_agency, task_of
from tests.test_registration import review_task, submit

JC_TITLE = "晋城市安全生产技术服务机构管理办法"
INVESTIGATION = {"facts": "出具的安全评价报告中现场检测数据系伪造", "reasons": "出具虚假报告，性质恶劣、情节严重",
                 "penalty_decision_no": "应急罚〔2026〕12号", "penalty_decided_on": "2026-03-20",
                 "contact_name": "赵科长", "contact_phone": "0356-2020000"}
LINYI_COUNTY = "371302"


def _docx_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)


def _list(api_as, agency_api, agency_row, grounds, decision_no="失信〔2026〕1号"):
    """Investigate, approve the notice, file a statement, review and decide: the agency is listed."""
    city, leader = api_as("city_official"), api_as("leader")
    res = city.post("/api/cases", json={"process": "blacklist",
                                        "data": dict(INVESTIGATION, agency_id=agency_row.id, grounds=grounds)})
    assert res.status_code == 201, res.get_json()
    case_id = res.get_json()["id"]
    page = leader.get(f"/tasks/{task_of(leader, 'approve_notice', case_id)['id']}").get_data(as_text=True)
    complete(leader, "approve_notice", {"notice_decision": "approve"}, case_id)
    complete(agency_api, "file_defence", {"statement": "无异议"}, case_id)
    complete(city, "review_defence", {"decision": "list", "opinion": "申辩理由不成立"}, case_id)
    complete(leader, "decide", {"decision": "list", "decision_no": decision_no}, case_id)
    decision = db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_decision").one()
    return case_id, page, _docx_text(decision.content)


def test_jincheng_listing_after_the_办法_lapsed_cites_the_national_rule_and_warns(api_as, client):
    """[JC] 第二十二条: after 2026-04-15 the 办法 is no current basis; the listing rests on 应急管理部令第11号, the
    leader is warned on the task, and the administrator sees the lapsed document."""
    with freeze_time("2026-04-10 09:00:00+08:00"):  # still in force: the local article is cited
        agency_api, agency_row = registered_agency(api_as, n=1)
        _list(api_as, agency_api, agency_row, ["JC-18-3"], decision_no="失信〔2026〕1号")
        before = db.session.query(Listing).one()
        assert JC_TITLE in before.basis
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as, n=2)
        _case_id, page, decision = _list(api_as, agency_api, agency_row, ["JC-18-3"], decision_no="失信〔2026〕2号")
        listing = db.session.query(Listing).filter_by(agency_id=agency_row.id).one()
        assert JC_TITLE not in listing.basis and "应急管理部令第11号" in listing.basis
        assert JC_TITLE not in decision and "应急管理部令第11号" in decision
        assert "晋城市范围内" not in decision  # the local restriction rested on the lapsed 办法 alone
        assert "有效期届满" in page and "2026-04-15" in page  # the leader is warned on the task
        admin = api_as("admin")
        lapsed = admin.get("/admin/documents").get_data(as_text=True)
        assert "已过有效期的文件" in lapsed and JC_TITLE in lapsed and "2026-04-15" in lapsed


def test_training_only_agency_is_not_listable_under_第十八条(api_as):
    """[JC] 第十八条, 应急管理部令第11号 第二条: the listing grounds reach 安全评价、认证、检测、检验 agencies only."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, official = api_as("agency"), api_as("county_official", unit="140502")
        case_id = submit(agency_api, n=5, service_categories=["安全培训"], business_scope="安全培训",
                         qualification_required=False)
        task = review_task(official, case_id)
        assert official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 200
        from models import Agency
        row_id = db.session.query(Agency).filter_by(registration_case_id=case_id).one().id
        city = api_as("city_official")
        for grounds in (["JC-18-1"], ["MEM11-3"]):
            res = city.post("/api/cases", json={"process": "blacklist",
                                                "data": dict(INVESTIGATION, agency_id=row_id, grounds=grounds)})
            assert res.status_code == 422, res.get_json()
            assert "安全培训" in res.get_json()["errors"]["grounds"][0]
        assert db.session.query(Listing).count() == 0


def _linyi(tmp_path, _template_db):
    return make_app(tmp_path, _template_db, ANFU_CITY="linyi")


def test_linyi_can_list_under_应急管理部令第11号(tmp_path, _template_db):
    """临沂 has no local listing ground; the national 11号令 grounds apply everywhere."""
    app = _linyi(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-11-23 09:00:00+08:00"):
            row = insert_agency("临沂某安全评价有限公司", "91371300MA0000009K", LINYI_COUNTY)
            db.session.commit()
            db.session.refresh(row)
            db.session.expunge(row)
            agency_api = api_as("agency", agency_id=row.id)
            _list(api_as, agency_api, row, ["MEM11-3"], decision_no="临应急失信〔2026〕1号")
            listing = db.session.query(Listing).one()
            assert listing.grounds == ["MEM11-3"] and "应急管理部令第11号" in listing.basis
        db.engine.dispose()


def _contract(content: str, service_type: str = "安全评估评价") -> dict:
    return {"client_name": "临沂某化工有限公司", "town": "兰山街道", "content": content, "service_type": service_type,
            "signed_on": "2026-11-20", "starts_on": "2026-11-20", "ends_on": "2026-12-31", "price_wan": "3.5",
            "client_contact": "周明", "client_phone": "13900139000"}


def _file(agency, data: dict):
    res = agency.post("/api/cases", json={"process": "contract_filing"})
    assert res.status_code == 201, res.get_json()
    case = res.get_json()
    scan = agency.upload(case["id"], "service_contract", PDF, "合同.pdf").get_json()["id"]
    return agency.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": dict(data, service_contract=scan)})


def test_poor_grade_agency_refused_a_contract_for_a_barred_service(tmp_path, _template_db):
    """[LY22] 六(三): an agency graded 差 may not take 三同时审查 (or the other five); other work is still filed."""
    from datetime import date

    from models import GradingEntry, GradingRound
    from workflows.clock import now
    app = _linyi(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-11-23 09:00:00+08:00"):
            poor = insert_agency("临沂差等级公司", "91371300MA0000010Y", LINYI_COUNTY)
            good = insert_agency("临沂良好等级公司", "91371300MA0000011W", LINYI_COUNTY)
            rnd = GradingRound(scheme="linyi", year=2026, title="2026年度评定", self_assessment_ends_on=date(2026, 9, 1),
                               inspection_ends_on=date(2026, 9, 2), classification_ends_on=date(2026, 9, 3),
                               status="open", created_at=now())
            db.session.add(rnd)
            db.session.flush()
            for agency, grade in ((poor, "差"), (good, "良好")):
                db.session.add(GradingEntry(round_id=rnd.id, agency_id=agency.id, phase="final", grade=grade,
                                            final_score=60.0 if grade == "差" else 85.0))
            db.session.commit()
            poor_id, good_id = poor.id, good.id
            res = _file(api_as("agency", agency_id=poor_id), _contract("建设项目安全设施三同时审查前的安全预评价"))
            assert res.status_code == 422, res.get_json()
            message = res.get_json()["errors"]["service_type"][0]
            assert "差" in message and "三同时审查" in message
            res = _file(api_as("agency", agency_id=poor_id), _contract("企业安全标准化评审", "安全标准化"))
            assert res.status_code == 422 and "标准化评审" in res.get_json()["errors"]["service_type"][0]
            assert _file(api_as("agency", agency_id=poor_id), _contract("安全生产培训", "安全培训")).status_code == 200
            assert _file(api_as("agency", agency_id=good_id),
                         _contract("建设项目安全设施三同时审查前的安全预评价")).status_code == 200
        db.engine.dispose()


def test_veto_poor_grade_opens_an_interview_on_the_veto_ground_with_measures(tmp_path, _template_db):
    """[LY22] 三(六)2: a veto makes 差 at 98 points; the interview opens on the veto item, not "below 70", and
    警告、责令限期停业整改 are recorded with their basis ([LY22] 五)."""
    from workflows.engine import load_workflow, ready_user_tasks
    app = _linyi(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-09-01 09:00:00+08:00"):
            row = insert_agency("临沂一票否决公司", "91371300MA0000012U", LINYI_COUNTY)
            db.session.commit()
            db.session.refresh(row)
            db.session.expunge(row)
            agency_api = api_as("agency", agency_id=row.id)
            experts = [api_as("expert", name="甲专家"), api_as("expert", name="乙专家")]
            city = open_round(api_as, [row])
            complete(agency_api, "self_assessment", self_payload(LINYI))
            case_id = entry_of(row).case_id
            complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, case_id)
            for expert in experts:
                task = next(t for t in expert.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
                res = expert.post(f"/api/tasks/{task['id']}/complete",
                                  json={"data": {"veto": "V3", "veto_evidence": "出具的报告存在伪造检测数据"}})
                assert res.status_code == 200, res.get_json()
            city = api_as("city_official")
            complete(city, "exam_roster", {"staff_roster": "张一\n李二\n王三\n赵四"}, case_id)
            task = task_of(city, "exam", case_id)
            drawn = city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]["exam_scores"]
            scores = "\n".join(f"{line.split()[0]} 90" for line in drawn.splitlines())
            complete(city, "exam", {"satisfaction": "10, 9", "exam_scores": scores}, case_id)
            confirm_publicity(city, case_id)
            entry = entry_of(row)
            assert entry.grade == "差" and entry.vetoed and entry.final_score >= 90
        from datetime import UTC, datetime

        from workflows.timers import tick
        tick(datetime(2026, 9, 10, 16, 0, 1, tzinfo=UTC))  # publicity: 7 working days from 09-01 end 09-10 24:00
        with freeze_time("2026-09-11 09:00:00+08:00"):
            city = api_as("city_official")
            confirm_final(city, case_id)
            link = db.session.query(CaseLink).filter_by(agency_id=row.id, target_process="interview").one()
            assert link.ground == "grading_veto_V3"
            from models import Case
            interview = db.session.get(Case, link.target_case_id)
            wf = load_workflow(interview.workflow_json, interview.process_version)
            assert ready_user_tasks(wf)[0].data["prepared"]["grounds"] == ["LY-3-6-2-3"]
            events = city.get(f"/api/cases/{case_id}/history").get_json()["events"]
            measures = [e for e in events if e["action"] == "measure_recorded"]
            texts = " ".join(str(e) for e in measures)
            assert len(measures) == 2 and "予以警告" in texts and "责令限期停业整改" in texts
            assert "临沂市安全生产技术服务机构管理实施方案" in texts
        db.engine.dispose()
