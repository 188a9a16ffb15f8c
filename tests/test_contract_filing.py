"""Service-contract filing (服务合同报备) through the JSON API with time moved.

Sources: [WJ] 第十五条 (contract scan within 7日 of signing; deliverables before the contract's end);
domain.md §8 (7 calendar days; 民法典 第二百零三条: a last day in a holiday moves to the next working day);
[JX] 附录A 表A 第4项 (filed contracts counted for grading).
"""
from freezegun import freeze_time

from models import Case, ServiceContract, db
from tests.factories import PDF
from tests.sanctions_factories import api_maker, complete, registered_agency, task_of
from workflows.grading_facts import agency_facts

DISTRICT = "320412"


def contract(signed_on: str, **over) -> dict:
    data = {"client_name": "常州市武进某化工有限公司", "town": "湖塘镇", "content": "安全现状评价",
            "service_type": "安全评估评价", "signed_on": signed_on, "starts_on": signed_on, "ends_on": "2026-12-31",
            "price_wan": "3.5", "client_contact": "周明", "client_phone": "13900139000"}
    data.update(over)
    return data


def file_contract(agency, data: dict, status: int = 200) -> int:
    """Open a filing case, upload the scan, submit the particulars."""
    res = agency.post("/api/cases", json={"process": "contract_filing"})
    assert res.status_code == 201, res.get_json()
    case = res.get_json()
    [task] = case["open_tasks"]
    scan = agency.upload(case["id"], "service_contract", PDF, "合同.pdf").get_json()["id"]
    res = agency.post(f"/api/tasks/{task['id']}/complete", json={"data": dict(data, service_contract=scan)})
    assert res.status_code == status, res.get_json()
    return case["id"]


def wujin(tmp_path, _template_db):
    from tests.conftest import make_app
    return make_app(tmp_path, _template_db, ANFU_CITY="wujin")


def test_filing_on_day_8_is_late_and_day_7_is_not(tmp_path, _template_db):
    """[WJ] 第十五条: signed 2026-11-02 (Mon); 7 calendar days end 11-09; a filing on 11-10 is flagged late."""
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-11-09 20:00:00+08:00"):
            _, row = registered_agency(api_as, county=DISTRICT)
            agency = api_as("agency", agency_id=row.id)
            on_time = file_contract(agency, contract("2026-11-02", client_name="按期公司"))
        with freeze_time("2026-11-10 08:00:00+08:00"):
            agency = api_as("agency", agency_id=row.id)
            late = file_contract(agency, contract("2026-11-02", client_name="逾期公司"))
            official = api_as("county_official", unit=DISTRICT)
            items = {c["case_id"]: c for c in official.get(f"/api/agencies/{row.id}/contracts").get_json()["items"]}
            assert items[on_time]["filed_late"] is False and items[on_time]["filing_due_on"] == "2026-11-09"
            assert items[late]["filed_late"] is True and "逾期报备" in items[late]["flags"][0]
            [summary] = official.get("/api/contracts/overview").get_json()["items"]
            assert summary["filed"] == 2 and summary["filed_late"] == 1
            assert task_of(official, "acknowledge_filing", late)["unit"] == DISTRICT
        db.engine.dispose()


def test_period_ending_in_national_day_moves_to_the_next_working_day(tmp_path, _template_db):
    """Signed 2026-09-28: day 7 is 10-05, inside 国庆 (10-01..07), so the period ends on 10-08; filing then is on time.

    The county queries, the agency answers, the county acknowledges; deliverables before the end close the case.
    """
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-10-08 16:00:00+08:00"):
            _, row = registered_agency(api_as, county=DISTRICT)
            agency = api_as("agency", agency_id=row.id)
            case_id = file_contract(agency, contract("2026-09-28"))
            filed = db.session.query(ServiceContract).one()
            assert filed.filing_due_on.isoformat() == "2026-10-08" and filed.filed_late is False
            assert "顺延" in filed.filing_due_note and "国庆节" in filed.filing_due_note
            official = api_as("county_official", unit=DISTRICT)
            complete(official, "acknowledge_filing", {"ack_decision": "query"}, case_id, status=422)
            complete(official, "acknowledge_filing", {"ack_decision": "query", "ack_opinion": "价格与附件3不一致"},
                     case_id)
            complete(agency, "answer_query", {"answer": "以合同第5条为准"}, case_id)
            complete(official, "acknowledge_filing", {"ack_decision": "acknowledge"}, case_id)
        with freeze_time("2026-12-30 10:00:00+08:00"):
            agency = api_as("agency", agency_id=row.id)
            task = task_of(agency, "submit_deliverables", case_id)
            assert task["due_at"].startswith("2026-12-31T16:00:00")
            doc = agency.upload(case_id, "deliverable", PDF, "评价报告.pdf").get_json()["id"]
            complete(agency, "submit_deliverables", {"deliverable": doc, "deliverable_note": "安全现状评价报告"},
                     case_id)
        case = db.session.get(Case, case_id)
        assert case.status == "completed" and case.outcome == "completed"
        filed = db.session.query(ServiceContract).one()
        assert filed.acknowledged_on.isoformat() == "2026-10-08" and filed.delivered_late is False
        db.engine.dispose()


def test_missing_and_late_deliverables_are_flagged(tmp_path, _template_db):
    """[WJ] 第十五条: after the contract's end without deliverables → flagged; uploaded later → flagged late."""
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-11-02 10:00:00+08:00"):
            _, row = registered_agency(api_as, county=DISTRICT)
            case_id = file_contract(api_as("agency", agency_id=row.id), contract("2026-11-02", ends_on="2026-11-30"))
        with freeze_time("2026-12-01 10:00:00+08:00"):
            official = api_as("city_official")
            [summary] = official.get("/api/contracts/overview").get_json()["items"]
            assert summary["deliverables_missing"] == 1
            agency = api_as("agency", agency_id=row.id)
            doc = agency.upload(case_id, "deliverable", PDF).get_json()["id"]
            complete(agency, "submit_deliverables", {"deliverable": doc}, case_id)
            [summary] = official.get("/api/contracts/overview").get_json()["items"]
            assert summary["deliverables_missing"] == 0 and summary["delivered_late"] == 1
        db.engine.dispose()


def test_bad_filing_is_refused_with_field_errors(api_as):
    """Dates out of order, a future signing date and a missing scan are 422s naming the fields."""
    from freezegun import freeze_time as ft
    with ft("2026-11-02 10:00:00+08:00"):
        agency, _ = registered_agency(api_as)
        res = agency.post("/api/cases", json={"process": "contract_filing"}).get_json()
        [task] = res["open_tasks"]
        form = agency.get(f"/api/tasks/{task['id']}").get_json()["form_schema"]["properties"]
        assert form["signed_on"]["title"] == "签约日期" and form["service_contract"]["title"].startswith("合同扫描件")
        bad = contract("2026-11-05", starts_on="2026-11-05", ends_on="2026-11-01", service_contract=None)
        out = agency.post(f"/api/tasks/{task['id']}/complete", json={"data": bad})
        assert out.status_code == 422
        errors = out.get_json()["errors"]
        assert "signed_on" in errors and "ends_on" in errors and "service_contract" in errors
        assert db.session.query(ServiceContract).count() == 0


def test_filed_contracts_count_for_jiaxing_table_a_item_4(api_as):
    """[JX] 表A 第4项: a filed contract counts as an uploaded contract; an abandoned upload does not."""
    with freeze_time("2026-11-02 10:00:00+08:00"):
        agency, row = registered_agency(api_as)
        assert agency_facts(row.id)["uploaded_contracts"][0] is None
        abandoned = agency.post("/api/cases", json={"process": "contract_filing"}).get_json()["id"]
        agency.upload(abandoned, "service_contract", PDF)
        assert agency_facts(row.id)["uploaded_contracts"][0] is None
        file_contract(agency, contract("2026-11-01"))
        value, sentence = agency_facts(row.id)["uploaded_contracts"]
        assert value == 1.0 and "1 份" in sentence
        # 晋城 sets no filing period: never late
        assert db.session.query(ServiceContract).one().filed_late is False


def test_an_agency_account_without_a_registered_agency_cannot_file(api_as):
    """Filing needs the agency's directory entry: a field error, not a 500."""
    with freeze_time("2026-11-02 10:00:00+08:00"):
        loose = api_as("agency")
        res = loose.post("/api/cases", json={"process": "contract_filing"}).get_json()
        scan = loose.upload(res["id"], "service_contract", PDF).get_json()["id"]
        out = loose.post(f"/api/tasks/{res['open_tasks'][0]['id']}/complete",
                         json={"data": dict(contract("2026-11-01"), service_contract=scan)})
        assert out.status_code == 422 and "尚未关联" in out.get_json()["errors"]["client_name"][0]
