"""Spot checks (抽查检查) over HTTP: the reproducible ≥ 30% draw, the inspection process, referral, the round
report to the city and the city's unannounced (四不两直) check.

Sources: [JC] 第十六条 (每半年随机抽查, 不少于项目数的30%, 检查报告报送市应急管理局, “四不两直”), 第十九条 (四个检查重点,
评鉴依据), 第十七条 (警示约谈); [WJ] 第二十二、二十三条 (成长值); domain.md P5 GAP (ceil, at least one).
"""
import io
import json

from freezegun import freeze_time
from openpyxl import load_workbook

from models import AuditEvent, Case, CaseLink, Notification, ServiceContract, SpotCheckInspection, db
from tests.factories import PASSWORD
from tests.sanctions_factories import COUNTY, complete, registered_agency, task_of
from tests.test_contract_filing import contract, file_contract

OK = {f"fp{n}_result": "compliant" for n in range(1, 5)}
PROBLEM = dict(OK, fp2_result="serious", fp2_finding="现状评价报告未辨识液氨储罐区危险有害因素",
               fp2_basis="[JC] 第十九条(二)")


def _agencies(api_as, counts=(1, 3, 10)) -> list:
    """Registered agencies in one county with 1, 3 and 10 contracts running in 2026 H1."""
    out = []
    with freeze_time("2026-03-02 09:00:00+08:00"):
        for n, count in enumerate(counts, start=1):
            api, row = registered_agency(api_as, n=n)
            for k in range(count):
                file_contract(api, contract("2026-03-01", client_name=f"泽州县企业{n}-{k}", ends_on="2026-12-31"))
            out.append((api, row))
    return out


def test_jc16_draw_is_at_least_30_percent_ceil_and_the_same_for_the_same_seed(api_as):
    """[JC] 第十六条: ≥ 30% per agency — 1 → 1, 3 → 1, 10 → 3 (ceil, at least one); the same seed redraws the same
    sample, recorded on the round and in the audit trail."""
    agencies = _agencies(api_as)
    with freeze_time("2026-07-06 09:00:00+08:00"):
        county = api_as("county_official", unit=COUNTY)
        first = county.get("/api/spot-checks/draw?period=2026H1&seed=20260706").get_json()["items"]
        again = county.get("/api/spot-checks/draw?period=2026H1&seed=20260706").get_json()["items"]
        assert first == again
        sizes = {i["agency_id"]: (i["project_total"], len(i["drawn"])) for i in first}
        assert sizes == {agencies[0][1].id: (1, 1), agencies[1][1].id: (3, 1), agencies[2][1].id: (10, 3)}
        other = county.get("/api/spot-checks/draw?period=2026H1&seed=7").get_json()["items"]
        assert {i["agency_id"] for i in other} == set(sizes)
        res = county.post("/api/spot-checks/rounds", json={"period": "2026H1", "seed": 20260706,
                                                           "inspectors": "张伟、李强"})
        assert res.status_code == 201, res.get_json()
        rnd = res.get_json()
        assert rnd["seed"] == 20260706 and rnd["ratio"] == "0.3"
        assert [(i["agency_id"], i["drawn"]) for i in rnd["inspections"]] == [
            (i["agency_id"], i["drawn"]) for i in first]
        [event] = db.session.query(AuditEvent).filter_by(action="spot_check_round_started").all()
        assert json.loads(event.detail)["seed"] == 20260706
        # one round per county and half-year
        assert county.post("/api/spot-checks/rounds", json={"period": "2026H1", "inspectors": "张伟"}).status_code == 409


def test_bad_round_input_is_refused_in_chinese_and_nothing_is_saved(api_as):
    """Bad period, missing inspectors, bad seed → 422 with field errors; no round, no case."""
    county = api_as("county_official", unit=COUNTY)
    res = county.post("/api/spot-checks/rounds", json={"period": "2026Q3", "seed": "abc", "inspectors": ""})
    assert res.status_code == 422
    assert "period" in json.dumps(res.get_json(), ensure_ascii=False)
    res = county.post("/api/spot-checks/rounds", json={"period": "2026H1", "seed": "abc", "inspectors": ""})
    assert res.status_code == 422 and {"inspectors", "seed"} <= set(res.get_json()["errors"])
    assert db.session.query(Case).filter_by(process_key="spot_check").count() == 0
    agency = api_as("agency")
    assert agency.post("/api/spot-checks/rounds", json={"period": "2026H1", "inspectors": "x"}).status_code == 403


def test_jc19_finding_with_basis_opens_an_interview_and_the_report_goes_to_the_city(app, api_as):
    """[JC] 第十九条: each drawn project's four focus points recorded, a problem needs finding and 评鉴依据;
    the county concludes 警示约谈 ([JC] 第十七条) with the finding as facts; the round report reaches the city."""
    [(_, one)] = _agencies(api_as, counts=(3,))
    with freeze_time("2026-07-06 09:00:00+08:00"):
        county = api_as("county_official", unit=COUNTY)
        rnd = county.post("/api/spot-checks/rounds", json={"period": "2026H1", "inspectors": "张伟、李强"}).get_json()
        case_id = rnd["inspections"][0]["case_id"]
        assert task_of(county, "inspect_project", case_id)["due_at"]  # policies/common/task_periods.yaml (平台默认)
        complete(county, "inspect_project", dict(OK, fp2_result="serious"), case_id, status=422)
        complete(county, "inspect_project", PROBLEM, case_id)
        assert county.post(f"/api/spot-checks/rounds/{rnd['id']}/report", json={}).status_code == 409
        complete(county, "conclude", {"decision": "interview", "opinion": "报告存在重大疏漏"}, case_id)
        link = db.session.query(CaseLink).one()
        assert (link.target_process, link.agency_id, link.ground, link.origin_case_id) == (
            "interview", one.id, "JC-17-1", case_id)
        target = db.session.get(Case, link.target_case_id)
        assert "液氨储罐区" in json.loads(link.detail)["variables"]["facts"] and target is not None
        row = db.session.query(SpotCheckInspection).one()
        assert row.conclusion == "interview" and row.status == "concluded"
        city = api_as("city_official")
        res = county.post(f"/api/spot-checks/rounds/{rnd['id']}/report", json={"note": "本轮抽查1家机构"})
        assert res.status_code == 200 and res.get_json()["status"] == "reported"
        assert db.session.query(Notification).filter_by(user_id=city.user.id, kind="spot_check_report").count() == 1
        res = city.post(f"/api/spot-checks/rounds/{rnd['id']}/acknowledge", json={})
        assert res.status_code == 200 and res.get_json()["status"] == "acknowledged"
        # the summary page and the Excel report (cells through rules.spreadsheet.append_row)
        web = app.test_client()
        assert web.post("/login", data={"username": county.user.username, "password": PASSWORD}).status_code == 302
        page = web.get(f"/spot-checks/rounds/{rnd['id']}").get_data(as_text=True)
        assert str(rnd["seed"]) in page and "市局已确认收到" in page and "液氨储罐区" in page
        sheet = load_workbook(io.BytesIO(web.get(f"/spot-checks/rounds/{rnd['id']}/report.xlsx").data)).active
        cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
        assert "[JC] 第十九条(二)" in cells and "发起警示约谈" in cells


def test_jc16_unannounced_check_is_hidden_from_the_agency_until_the_result(api_as):
    """[JC] 第十六条 “四不两直”: the city checks one chosen project; the agency has no task, case or notice
    before the result, and sees the case with its result afterwards."""
    [(_, row)] = _agencies(api_as, counts=(1,))
    contract_id = db.session.query(ServiceContract.id).filter_by(agency_id=row.id).scalar()
    with freeze_time("2026-07-06 09:00:00+08:00"):
        agency = api_as("agency", agency_id=row.id)
        county = api_as("county_official", unit=COUNTY)
        assert county.post("/api/spot-checks/unannounced", json={"contract_id": contract_id}).status_code == 403
        city = api_as("city_official")
        assert city.post("/api/spot-checks/unannounced", json={"contract_id": 99999}).status_code == 422
        res = city.post("/api/spot-checks/unannounced", json={"contract_id": contract_id})
        assert res.status_code == 201, res.get_json()
        case_id = res.get_json()["case_id"]
        assert agency.get(f"/api/cases/{case_id}").status_code in (403, 404)
        assert all(t["case_id"] != case_id for t in agency.get("/api/inbox").get_json()["items"])
        before = db.session.query(Notification).filter_by(user_id=agency.user.id, case_id=case_id).count()
        assert before == 0
        complete(city, "inspect_project_city", OK, case_id)
        complete(city, "conclude_city", {"decision": "no_problem"}, case_id)
        assert agency.get(f"/api/cases/{case_id}").status_code == 200
        assert db.session.query(Notification).filter_by(user_id=agency.user.id, case_id=case_id,
                                                        kind="spot_check_result").count() == 1


def test_wj23_growth_value_default_is_labelled_non_standard_and_scores_findings(tmp_path, _template_db):
    """[WJ] 第二十三条 成长值: the 制度 was not found, so the default table (base 100, 一般 −2, 严重 −5) is labelled
    非标准规定（未找到原文）; a serious finding scores 95 on the inspection; 武进 has no 四不两直 ([WJ] 未规定)."""
    from tests.sanctions_factories import api_maker
    from tests.test_contract_filing import DISTRICT, wujin
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-03-02 09:00:00+08:00"):
            _, row = registered_agency(api_as, county=DISTRICT)
            file_contract(api_as("agency", agency_id=row.id), contract("2026-03-01", ends_on="2026-12-31"))
        with freeze_time("2026-07-06 09:00:00+08:00"):
            county = api_as("county_official", unit=DISTRICT)
            rnd = county.post("/api/spot-checks/rounds", json={"period": "2026H1", "inspectors": "周敏"}).get_json()
            case_id = rnd["inspections"][0]["case_id"]
            complete(county, "inspect_project", dict(PROBLEM, fp2_basis="[WJ] 第二十二条(二)"), case_id)
            task = county.get(f"/api/tasks/{task_of(county, 'conclude', case_id)['id']}").get_json()
            assert "非标准规定（未找到原文）" in json.dumps(task, ensure_ascii=False)
            complete(county, "conclude", {"decision": "interview", "opinion": "报告问题较多"}, case_id)
            link = db.session.query(CaseLink).one()
            assert link.ground == "WJ-24-2"
            got = county.get(f"/api/spot-checks/rounds/{rnd['id']}").get_json()
            assert got["inspections"][0]["growth_score"] == 95
            city = api_as("city_official")
            contract_id = db.session.query(ServiceContract.id).scalar()
            assert city.post("/api/spot-checks/unannounced", json={"contract_id": contract_id}).status_code == 404
        db.engine.dispose()
