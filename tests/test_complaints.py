"""Complaints and reports (投诉举报; [JC] 第二十条; [WJ] 第五条; [LY23] 第十八条; issue 11): public page →
市局分办 → 县区局调查 → 办结答复 seen with the 受理编号; the agency concerned never sees who complained."""
import io
import re

import pytest

from models import Case, CaseLink, Complaint, Notification, db
from rules.complaint_policy import load_complaint_policy
from tests.factories import PDF
from tests.sanctions_factories import COUNTY, complete, registered_agency, task_of

TEXT = "该机构2026年10月为某化工企业出具的安全评价报告，项目人员未到现场"
SECRETS = ("赵举报", "13900002222", "现场照片")


def _file(client, agency, **over):
    data = {"agency_id": str(agency), "text": TEXT, "name": "赵举报", "contact": "13900002222",
            "file": (io.BytesIO(PDF), "现场照片.pdf")}
    data.update(over)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/public/complaints/new", data=data, content_type="multipart/form-data")


def _filed(api_as, client):
    """A registered agency and a named complaint about it with a contact and a PDF; returns (agency api, row, code)."""
    agency, row = registered_agency(api_as)
    res = _file(client, row.id)
    assert res.status_code == 302
    flashed = client.get(res.headers["Location"]).get_data(as_text=True)
    code = re.search(r"受理编号 ([0-9A-F]{10})", flashed).group(1)
    return agency, row, code


def _investigated(api_as, client, outcome: str):
    agency, row, code = _filed(api_as, client)
    city = api_as("city_official")
    complaint = db.session.query(Complaint).filter_by(tracking_code=code).one()
    complete(city, "triage", {"triage_decision": "investigate", "agency_id": row.id}, complaint.case_id)
    county = api_as("county_official", unit=COUNTY)
    complete(county, "investigate", {"findings": "经现场核查，项目负责人未到现场属实", "proposed_outcome": outcome},
             complaint.case_id)
    return agency, row, code, city, complaint.case_id


def test_a_named_complaint_reaches_an_interview_the_complainant_sees_with_the_code(api_as, client):
    """[JC] 第二十条/第十七条: public page → 分办 → 调查 → 约谈; the 受理编号 shows status, result and reply."""
    _agency, _row, code, city, case_id = _investigated(api_as, client, "interview")
    page = client.get(f"/public/complaints/lookup?code={code}").get_data(as_text=True)
    assert "正在调查核实" in page and TEXT in page and "尚未答复" in page
    task = task_of(city, "decide", case_id)
    head = city.get(f"/tasks/{task['id']}").get_data(as_text=True).split("办理结果")[0]
    assert TEXT in head and "赵举报" in head and "13900002222" in head and "现场照片.pdf" in head
    assert "项目负责人未到现场属实" in head
    complete(city, "decide", {"outcome_code": "interview", "interview_ground": "JC-17-3",
                              "agency_notice": "反映贵机构安全评价项目人员未到现场", "reply": "经核查属实，已对该机构警示约谈。"},
             case_id)
    case = db.session.get(Case, case_id)
    assert case.status == "completed" and case.outcome == "interview"
    link = db.session.query(CaseLink).filter_by(origin_case_id=case_id).one()
    assert link.target_process == "interview" and link.target_case_id
    page = client.get(f"/public/complaints/lookup?code={code.lower()}").get_data(as_text=True)
    assert "已办结" in page and "警示约谈" in page and "经核查属实，已对该机构警示约谈。" in page


def test_the_agency_never_sees_who_complained(api_as, client):
    """workflows/privacy.py: not on the interview's case page, task, timeline, API or files; notified of substance."""
    agency, _row, code, city, case_id = _investigated(api_as, client, "interview")
    complete(city, "decide", {"outcome_code": "interview", "interview_ground": "JC-17-3",
                              "agency_notice": "反映贵机构安全评价项目人员未到现场", "reply": "已约谈。"}, case_id)
    complaint = db.session.query(Complaint).filter_by(tracking_code=code).one()
    interview_id = db.session.query(CaseLink).filter_by(origin_case_id=case_id).one().target_case_id
    seen = agency.get(f"/cases/{interview_id}").get_data(as_text=True)
    seen += agency.get(f"/api/cases/{interview_id}").get_data(as_text=True)
    seen += agency.get(f"/api/cases/{interview_id}/history").get_data(as_text=True)
    seen += agency.get("/api/cases").get_data(as_text=True) + agency.get("/api/notifications").get_data(as_text=True)
    seen += agency.get("/").get_data(as_text=True)
    for secret in (*SECRETS, code):
        assert secret not in seen
    assert agency.get(f"/cases/{case_id}").status_code in (403, 404)
    assert agency.get(f"/api/cases/{case_id}").status_code in (403, 404)
    assert agency.get(f"/documents/{complaint.document_id}").status_code in (403, 404)
    assert agency.get(f"/api/documents/{complaint.document_id}").status_code in (403, 404)
    notes = db.session.query(Notification).filter_by(user_id=agency.user.id, kind="complaint_closed").all()
    assert len(notes) == 1 and "项目人员未到现场" in notes[0].text and "赵举报" not in notes[0].text
    assert "赵举报" in city.get(f"/cases/{case_id}").get_data(as_text=True)


def test_a_listing_referral_carries_the_facts_but_not_the_complainant(api_as, client):
    """[JC] 第十八条: a founded complaint referred to the listing process with the findings."""
    _agency, _row, _code, city, case_id = _investigated(api_as, client, "blacklist")
    complete(city, "decide", {"outcome_code": "blacklist", "agency_notice": "反映贵机构出具虚假报告",
                              "reply": "已移送列入严重失信主体名单程序。"}, case_id)
    link = db.session.query(CaseLink).filter_by(origin_case_id=case_id).one()
    assert link.target_process == "blacklist" and link.ground == "complaint_referral"
    task = task_of(city, "investigate", link.target_case_id)
    page = city.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "项目负责人未到现场属实" in page and "赵举报" not in page
    assert db.session.get(Case, case_id).outcome == "blacklist"


def test_unfounded_and_referred_elsewhere_outcomes_are_replied(api_as, client):
    """不属实 closes with a reply; 转交有关部门 records to whom, straight from triage."""
    _agency, _row, code, city, case_id = _investigated(api_as, client, "unfounded")
    complete(city, "decide", {"outcome_code": "unfounded", "agency_notice": "反映项目人员未到现场",
                              "reply": "经核查，反映问题不属实。"}, case_id)
    assert db.session.query(Complaint).filter_by(tracking_code=code).one().outcome == "unfounded"
    res = _file(client, "", agency_named="某物业公司", text="小区电梯维保不到位", name="", contact="", file=None)
    other = db.session.query(Complaint).filter_by(agency_named="某物业公司").one()
    assert res.status_code == 302 and other.name is None and other.agency_id is None
    complete(city, "triage", {"triage_decision": "refer_elsewhere", "referred_to": "市场监督管理局",
                              "triage_reply": "不属本部门职责，已转交市场监督管理局。"}, other.case_id)
    page = client.get(f"/public/complaints/lookup?code={other.tracking_code}").get_data(as_text=True)
    assert "已转交有关部门" in page and "市场监督管理局" in page


def test_decisions_need_their_fields_and_never_name_the_complainant_to_the_agency(api_as, client):
    """Bad input is a 422 with Chinese field errors; the notice to the agency may not carry the name."""
    _agency, _row, _code, city, case_id = _investigated(api_as, client, "interview")
    res = complete(city, "decide", {"outcome_code": "interview", "agency_notice": "赵举报反映未到现场", "reply": "x"},
                   case_id, status=422)
    assert "不得包含投诉举报人" in str(res) and "请选择约谈情形" in str(res)
    res = complete(city, "decide", {"outcome_code": "referred_elsewhere", "reply": "转交"}, case_id, status=422)
    assert "转交有关部门时必须填写" in str(res)
    assert db.session.get(Case, case_id).status == "running"


@pytest.mark.parametrize("form,message", [({"text": ""}, "请写明投诉举报的具体内容"),
                                          ({"agency_id": "", "agency_named": ""}, "请选择被投诉举报的机构"),
                                          ({"agency_id": "99999999999"}, "请选择被投诉举报的机构"),
                                          ({"file": (io.BytesIO(b"MZ not a pdf"), "a.pdf")}, "PDF")])
def test_bad_public_input_is_refused_in_chinese_and_nothing_is_saved(api_as, client, form, message):
    """422, the form re-rendered with the message, no case and no complaint half-saved."""
    _agency, row = registered_agency(api_as)
    cases = db.session.query(Case).count()
    res = _file(client, row.id, **form)
    assert res.status_code == 422 and message in res.get_data(as_text=True)
    assert db.session.query(Complaint).count() == 0 and db.session.query(Case).count() == cases


def test_an_unknown_code_is_a_404_with_a_chinese_message(client):
    res = client.get("/public/complaints/lookup?code=ABCDEF1234")
    assert res.status_code == 404 and "未找到该受理编号" in res.get_data(as_text=True)


def test_the_public_page_lists_the_city_channels_with_sources(client):
    """晋城 [JC] 第二十条 举报奖励 and [JC] 第七条 channel on the page, cited by the document's full title."""
    page = client.get("/public/complaints/new").get_data(as_text=True)
    assert "管理办法(试行)》第二十条" in page and "举报奖励" in page and "管理办法(试行)》第七条" in page
    assert "[JC]" not in page


@pytest.mark.parametrize("city,needle", [("linyi", "0539-8391308"), ("linyi", "yjzhjz@ly.shandong.cn"),
                                         ("wujin", "[WJ] 第五条"), ("jiaxing", "平台默认"), ("jincheng", "[JC] 第二十条")])
def test_each_city_has_its_channels_and_rules(city, needle):
    """domain.md §P13: 临沂 [LY23] 第十八条 / [LY22] 六(四), 武进 [WJ] 第五条, 嘉兴 none stated, 晋城 [JC] 第二十条."""
    policy = load_complaint_policy(city)
    assert needle in repr(policy)
    assert all(row["basis"] for row in policy.time_limits.values())


def test_founded_complaints_are_a_grading_fact(api_as, client):
    """[LY22] 五 反映意见较多: the experts' platform facts count founded complaints."""
    from workflows.grading_facts import agency_facts
    _agency, row, _code, city, case_id = _investigated(api_as, client, "interview")
    assert agency_facts(row.id)["founded_complaints"][0] is None
    complete(city, "decide", {"outcome_code": "interview", "interview_ground": "JC-17-3",
                              "agency_notice": "反映未到现场", "reply": "已约谈"}, case_id)
    value, sentence = agency_facts(row.id)["founded_complaints"]
    assert value == 1 and "投诉举报" in sentence


def test_complaint_pages_show_no_english_codes(api_as, client):
    """zh-CN only (issue 9 crawl rule): the officials' task and case pages and the public pages of a complaint."""
    from tests.test_zh_pages_crawl import english_words, visible_text
    _agency, _row, code, city, case_id = _investigated(api_as, client, "blacklist")
    pages = [city.get(f"/tasks/{task_of(city, 'decide', case_id)['id']}").get_data(as_text=True)]
    complete(city, "decide", {"outcome_code": "blacklist", "agency_notice": "反映出具虚假报告", "reply": "已移送。"},
             case_id)
    pages += [city.get(f"/cases/{case_id}").get_data(as_text=True),
              client.get(f"/public/complaints/lookup?code={code}").get_data(as_text=True),
              client.get("/public/complaints/new").get_data(as_text=True)]
    for html in pages:  # test users' display names ("city_official-3") are names people typed
        words = english_words(visible_text(html), {code, "0539-12345"})
        assert {w for w in words if not re.fullmatch(r"[a-z_]+-\d+", w)} == set()


def test_the_public_complaint_form_is_rate_limited_per_ip(tmp_path, _template_db):
    """Anonymous POSTs (issue security: rate limits) answer 429 after RATE_LIMIT_PUBLIC posts from one IP."""
    from tests.conftest import make_app
    app = make_app(tmp_path, _template_db, RATE_LIMIT_PUBLIC=(2, 600))
    with app.app_context():
        client = app.test_client()
        for _ in range(2):
            assert client.post("/public/complaints/new", data={"text": ""}).status_code == 422
        res = client.post("/public/complaints/new", data={"text": ""})
        assert res.status_code == 429 and "请求过于频繁" in res.get_data(as_text=True)
        db.engine.dispose()


def test_officials_tasks_carry_the_service_level_periods(api_as, client):
    """policies/common/task_periods.yaml `complaint:` rows (平台默认): 分办 5, 调查核实 30 working days."""
    from models import OpenTask
    case_id = _investigated(api_as, client, "unfounded")[-1]
    decide = db.session.query(OpenTask).filter_by(case_id=case_id, bpmn_id="decide").one()
    assert decide.due_at is not None and decide.due_at > decide.created_at


def test_linyi_public_page_shows_its_hotlines(tmp_path, _template_db):
    """临沂 [LY23] 第十八条: 市应急管理局 0539-12345 and 市安全生产协会 0539-8391308; [LY22] 六(四) e-mail."""
    from tests.conftest import make_app
    app = make_app(tmp_path, _template_db, ANFU_CITY="linyi")
    with app.app_context():
        page = app.test_client().get("/public/complaints/new").get_data(as_text=True)
        assert "0539-8391308" in page and "yjzhjz@ly.shandong.cn" in page and "实行有奖举报" in page
        assert "[LY23]" not in page and "第十八条" in page
        db.engine.dispose()
