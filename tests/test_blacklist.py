"""Blacklist listing end to end: [JC] 第十八条, [WJ] 第十九条; 应急管理部令第11号 第三条; 国办发〔2020〕49号(八);
domain.md §3.1 and §8 (3-year period, early removal after 12 months, 5-working-day defence window)."""
import io
from datetime import UTC, datetime

import docx
from freezegun import freeze_time

from models import Case, Document, Listing, db
from tests.conftest import make_app
from tests.sanctions_factories import api_maker, complete, registered_agency, task_of
from workflows.timers import tick

INVESTIGATION = {"grounds": ["JC-18-3"], "facts": "2026年9月出具的安全评价报告中现场检测数据系伪造",
                 "reasons": "出具虚假报告，性质恶劣、情节严重", "penalty_decision_no": "晋市应急罚〔2026〕12号",
                 "penalty_decided_on": "2026-10-20", "contact_name": "赵科长", "contact_phone": "0356-2020000"}


def _docx_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)


def _start(api_as, agency_row, approve=True, **over):
    """The case officer investigates; the leader approves the 告知书 (unless `approve=False`)."""
    city, leader = api_as("city_official", name="赵科长"), api_as("leader", name="钱局长")
    res = city.post("/api/cases", json={"process": "blacklist", "data": dict(INVESTIGATION, agency_id=agency_row.id, **over)})
    if approve and res.status_code == 201:
        complete(leader, "approve_notice", {"notice_decision": "approve"}, res.get_json()["id"])
    return city, leader, res


def _listed(api_as, statement=True):
    """An agency listed on 2026-11-23 (defence window 5 working days → ends 2026-11-30 24:00)."""
    agency_api, agency_row = registered_agency(api_as)
    city, leader, res = _start(api_as, agency_row)
    assert res.status_code == 201, res.get_json()
    case_id = res.get_json()["id"]
    if statement:
        complete(agency_api, "file_defence", {"statement": "数据由外包单位提供，我单位不知情"})
    return agency_api, agency_row, city, leader, case_id


def _decide(city, leader, case_id):
    complete(city, "review_defence", {"decision": "list", "opinion": "申辩理由不成立"}, case_id)
    complete(leader, "decide", {"decision": "list", "decision_no": "晋市应急失信〔2026〕1号"}, case_id)


def test_listing_without_a_penalty_decision_is_refused(api_as):
    """应急管理部令第11号 第三条: no administrative penalty → no listing; nothing is saved."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
        _, _, res = _start(api_as, agency_row, penalty_decision_no="", penalty_decided_on=None)
    assert res.status_code == 422
    assert "行政处罚" in res.get_json()["errors"]["penalty_decision_no"][0]
    assert db.session.query(Case).filter_by(process_key="blacklist").count() == 0


def test_notice_decision_listing_and_restrictions_at_every_door(api_as, client):
    """告知书 → 陈述申辩 → 复核 → 决定书; while listed the agency is refused everywhere else, others are not."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row, city, leader, case_id = _listed(api_as)
        notice = db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_notice").one()
        text = _docx_text(notice.content)
        assert agency_row.name in text and "晋市应急罚〔2026〕12号" in text and "2026年11月30日" in text
        _decide(city, leader, case_id)
        listing = db.session.query(Listing).one()
        assert listing.listed_on.isoformat() == "2026-11-23" and listing.ends_on.isoformat() == "2029-11-22"
        decision = db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_decision").one()
        assert "晋市应急失信〔2026〕1号" in _docx_text(decision.content)
        # the public blacklist shows it; the good-standing directory no longer does
        assert agency_row.credit_code in client.get("/public/blacklist").get_data(as_text=True)
        assert agency_row.name not in client.get("/public/directory").get_data(as_text=True)
        # every door refuses the listed agency, citing the decision
        res = agency_api.post("/api/cases", json={"process": "registration"})
        assert res.status_code == 403 and "晋市应急失信〔2026〕1号" in res.get_json()["message"]
        fresh = api_as("agency")
        case = fresh.post("/api/cases", json={"process": "registration"}).get_json()
        from tests.factories import application, with_documents
        data = with_documents(fresh, case["id"], application(credit_code=agency_row.credit_code, n=9))
        res = fresh.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
        assert res.status_code == 422 and "严重失信" in res.get_json()["errors"]["credit_code"][0]
        from workflows.errors import NotAllowed
        from workflows.guards import check
        try:
            check(None, "participate:grading", agency_id=agency_row.id)
        except NotAllowed as err:
            assert "参加分类等级评定" in err.message
        else:
            raise AssertionError("listed agency allowed into grading")
        # another agency is not affected
        _other_api, other_row = registered_agency(api_as, n=2)
        check(None, "participate:grading", agency_id=other_row.id)
        # the listed agency may still apply for repair in its own case (refused only for being too early)
        res = agency_api.post(f"/api/tasks/{task_of(agency_api, 'apply_repair_timed')['id']}/complete",
                              json={"data": {"reasons": "已整改", "evidence": agency_api.upload(case_id, "evidence").get_json()["id"]}})
        assert res.status_code == 422 and "满12个月" in res.get_json()["errors"]["reasons"][0]


def test_defence_window_expires_without_statement(api_as):
    """No statement within 5 working days (start day excluded): the case moves on to review by itself."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, _agency_row, city, _leader, case_id = _listed(api_as, statement=False)
        task = task_of(agency_api, "file_defence")
        assert task["due_at"].startswith("2026-11-30T16:00:00")
    assert tick(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == 0
    assert tick(datetime(2026, 11, 30, 16, 1, tzinfo=UTC)) == 1
    with freeze_time("2026-12-01 09:00:00+08:00"):
        city = api_as("city_official")
        review = task_of(city, "review_defence", case_id)
        detail = city.get(f"/api/cases/{case_id}").get_json()
        assert detail["data"]["statement"] == "当事人在规定期限内未提出陈述申辩" and review


def test_statement_leads_to_no_listing(api_as):
    """The review accepts the statement and the leader decides not to list."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, _agency_row, city, leader, case_id = _listed(api_as)
        complete(city, "review_defence", {"decision": "no_list", "opinion": "数据造假系外包单位所为，证据充分"}, case_id)
        complete(leader, "decide", {"decision": "no_list", "opinion": "采纳陈述申辩意见"}, case_id)
        case = db.session.get(Case, case_id)
        assert case.outcome == "not_listed" and db.session.query(Listing).count() == 0
        assert agency_api.post("/api/cases", json={"process": "registration"}).status_code == 201  # not restricted


def test_expiry_at_exactly_the_end_of_the_period(api_as, client):
    """3 years: listed 2026-11-23, ends 2029-11-22 24:00; removed from the public page that moment."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _, agency_row, city, leader, case_id = _listed(api_as)
        _decide(city, leader, case_id)
    assert tick(datetime(2029, 11, 22, 15, 59, tzinfo=UTC)) == 0
    assert db.session.query(Listing).one().status == "active"
    assert tick(datetime(2029, 11, 22, 16, 0, 1, tzinfo=UTC)) == 1
    listing = db.session.query(Listing).one()
    assert listing.status == "expired" and db.session.get(Case, case_id).outcome == "expired"
    with freeze_time("2029-11-23 09:00:00+08:00"):
        assert agency_row.credit_code not in client.get("/public/blacklist").get_data(as_text=True)
        assert agency_row.name in client.get("/public/directory").get_data(as_text=True)


def test_early_repair_refused_before_12_months_granted_after_and_revocable(api_as):
    """信用修复: refused before 12 months; granted after; revoked when the application proves false."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _agency_api, agency_row, city, leader, case_id = _listed(api_as)
        _decide(city, leader, case_id)
    with freeze_time("2027-11-23 09:00:00+08:00"):
        agency_api2 = api_as("agency", agency_id=agency_row.id)
        city, leader = api_as("city_official"), api_as("leader")
        evidence = agency_api2.upload(case_id, "evidence").get_json()["id"]
        complete(agency_api2, "apply_repair_timed", {"reasons": "已履行处罚并完成整改", "evidence": evidence})
        complete(city, "review_repair", {"decision": "grant"}, case_id)
        complete(leader, "decide_repair", {"decision": "grant"}, case_id)
        assert db.session.query(Listing).one().status == "early_removed"
        assert agency_api2.post("/api/cases", json={"process": "registration"}).status_code == 201  # access restored
        complete(city, "verify_repair", {"decision": "revoke", "opinion": "整改证明系伪造"}, case_id)
        listing = db.session.query(Listing).one()
        assert listing.status == "active" and listing.removed_on is None
        assert task_of(agency_api2, "apply_repair_timed", case_id)
        res = agency_api2.post("/api/cases", json={"process": "registration"})
        assert res.status_code == 403


def test_wujin_ban_has_no_end_date_and_flags_the_principal(tmp_path, _template_db):
    """[WJ] 第十九条: 行业禁入 of the agency and its 主要负责人 until a decision lifts it; no expiry timer."""
    app = make_app(tmp_path, _template_db, ANFU_CITY="wujin")
    with app.app_context():
        client, api_as = api_maker(app)

        with freeze_time("2026-11-23 09:00:00+08:00"):
            agency_api, agency_row = registered_agency(api_as, county="320412")
            wj = app.config["CITY_POLICY"].blacklist_grounds[0]["code"]
            city, leader, res = _start(api_as, agency_row, grounds=[wj], principal_name="王建国")
            case_id = res.get_json()["id"]
            complete(agency_api, "file_defence", {"statement": "无"})
            _decide(city, leader, case_id)
            listing = db.session.query(Listing).one()
            assert listing.ends_on is None and listing.principal_name == "王建国"
            assert task_of(agency_api, "apply_repair_open", case_id)
            page = client.get("/public/blacklist").get_data(as_text=True)
            assert "至决定解除之日" in page and "王建国" in page
            _other_api, other_row = registered_agency(api_as, n=2, county="320412")
            entry = client.get(f"/public/directory/{other_row.id}").get_data(as_text=True)
            assert "同名" in entry  # its legal representative has the banned principal's name
        assert tick(datetime(2036, 1, 1, tzinfo=UTC)) == 0
        assert db.session.query(Listing).one().status == "active"
        db.engine.dispose()


def test_banned_principal_flagged_when_heading_another_agency_application(tmp_path, _template_db):
    """[WJ] 第十九条: the banned 主要负责人 is flagged on the county review of another agency's registration."""
    app = make_app(tmp_path, _template_db, ANFU_CITY="wujin")
    with app.app_context():
        from datetime import date

        from models import Agency
        from tests.test_registration import submit
        from workflows.clock import now
        client, api_as = api_maker(app)

        with freeze_time("2026-11-23 09:00:00+08:00"):
            banned = Agency(name="被禁入机构", credit_code="91320412MA0000003P", legal_representative="王建国",
                            contact_person="李", contact_phone="13800138000", email="a@b.cn", address="武进",
                            county_code="320412", staff_count=10, service_categories=["安全咨询托管"], business_scope="咨询",
                            status="registered", registered_on=date(2025, 1, 1), created_at=now())
            db.session.add(banned)
            db.session.flush()
            from models import ProcessVersion
            pv = db.session.query(ProcessVersion).filter_by(process_key="blacklist").first()
            case = Case(process_key="blacklist", process_version_id=pv.id, title="禁入", status="running",
                        started_at=now(), updated_at=now(), version=1, workflow_json="{}", agency_id=banned.id)
            db.session.add(case)
            db.session.flush()
            db.session.add(Listing(case_id=case.id, agency_id=banned.id, grounds=[], basis="[WJ] 第十九条",
                                   penalty_decision_no="常武应急罚〔2026〕1号", penalty_decided_on=date(2026, 10, 1),
                                   decision_no="武应急禁〔2026〕1号", listed_on=date(2026, 11, 1), ends_on=None,
                                   principal_name="王建国", status="active", created_at=now()))
            db.session.commit()
            agency = api_as("agency")
            case_id = submit(agency, county="320412")  # application() names 王建国 as legal representative
            official = api_as("county_official", unit="320412")
            task = official.get("/api/inbox").get_json()["items"][0]
            page = client.get(f"/tasks/{task['id']}", headers={"Authorization": f"Bearer {official.token}"})
            assert "被实施行业禁入的主要负责人同名" in page.get_data(as_text=True) and case_id
        db.engine.dispose()
