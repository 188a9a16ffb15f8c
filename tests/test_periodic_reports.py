"""Periodic business reports (定期报告) end to end over HTTP, with time moved.

[JC] 第十五条 (annual, 次年1月底前) and 第十七条(三) (未按要求填报 → 警示约谈); [WJ] 第十五条, 附件3 (half-yearly
工作报表) and 第二十四条(一); 民法典 第二百零三条 (a period ending on a rest day ends on the next working day).
"""
import io
import json
from datetime import UTC, datetime

from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

from models import AuditEvent, Case, CaseLink, PeriodicReport, db
from tests.sanctions_factories import api_maker, complete, registered_agency, task_of
from workflows.timers import tick

ROWS_JC = "泽州县某煤矿有限公司\t安全现状评价\t泽州县\t2027-03-01\t2027-05-20\t12.5"


def _events(case_id: int, action: str) -> list[dict]:
    return [json.loads(e.detail) for e in db.session.query(AuditEvent).filter_by(case_id=case_id, action=action)]


def _tick(*when: int) -> int:
    """Fire due timers as of a UTC moment, with the engine's own clock there too (SpiffWorkflow reads it)."""
    moment = datetime(*when, tzinfo=UTC)
    with freeze_time(moment):
        return tick(moment)


def _open(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["reports", *args])
    assert result.exit_code in (0, 2), result.output
    return result.output


def test_jincheng_annual_report_missed_on_1_february_opens_an_interview_not_on_31_january(app, api_as):
    """[JC] 第十五条 due 2028-01-31 24:00 (a Monday); reminder 5 working days before; on 2028-02-01 the overdue
    report opens a 警示约谈 with ground [JC] 第十七条(三) preselected; the late report can still be filed."""
    with freeze_time("2027-06-01 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
    with freeze_time("2028-01-02 09:00:00+08:00"):
        output = _open(app, "open", "--period", "2027")
        assert "reports opened for 2027: 1" in output
        assert "已过有效期" in output  # [JC] 第二十二条: the 办法 ran two years from 2024-04-16
        assert "reports opened for 2027: 0" in _open(app, "open", "--period", "2027")  # idempotent
        agency = api_as("agency", agency_id=agency_row.id)
        task = task_of(agency, "submit_report")
        assert task["due_at"].startswith("2028-01-31T16:00:00")  # 2028-01-31 24:00 Asia/Shanghai
    report = db.session.query(PeriodicReport).one()
    case_id = report.case_id
    assert report.period == "2027" and report.status == "open" and report.agency_id == agency_row.id
    assert db.session.get(Case, case_id).title == f"{agency_row.name} 2027年度业务情况报告"

    # reminder at 09:00 on 2028-01-24, 5 working days before the last day (audited)
    assert _tick(2028, 1, 24, 0, 59) == 0
    assert _tick(2028, 1, 24, 1, 1) == 1
    [reminder] = _events(case_id, "reminder_sent")
    assert "2028年1月31日24时" in reminder["deadline"]

    # 31 January 23:59: still in time — no interview
    assert _tick(2028, 1, 31, 15, 59) == 0
    assert db.session.query(CaseLink).count() == 0
    # 1 February 00:01: overdue → interview on the city's ground
    assert _tick(2028, 1, 31, 16, 1) == 1
    link = db.session.query(CaseLink).one()
    assert (link.target_process, link.ground, link.origin_case_id, link.agency_id) == (
        "interview", "JC-17-3", case_id, agency_row.id)
    interview_case_id, report_id = link.target_case_id, report.id
    assert db.session.get(PeriodicReport, report_id).overdue is True
    with freeze_time("2028-02-01 09:00:00+08:00"):
        city = api_as("city_official")
        draft = task_of(city, "draft_notice", interview_case_id)
        prefill = city.get(f"/api/tasks/{draft['id']}").get_json()["prefill"]
        assert prefill["grounds"] == ["JC-17-3"] and prefill["agency_id"] == agency_row.id

        # the late report is still filed and reviewed
        agency = api_as("agency", agency_id=agency_row.id)
        complete(agency, "submit_report", {"rows": "", "principal": "王建国", "filled_by": "李娜",
                                           "phone": "0356-2020000"}, status=422)
        complete(agency, "submit_report", {"rows": ROWS_JC, "principal": "王建国", "filled_by": "李娜",
                                           "phone": "0356-2020000"})
        review = task_of(city, "review_report", case_id)
        tables = city.get(f"/api/tasks/{review['id']}").get_json()["tables"]
        assert tables[0]["rows"][0]["cells"][:2] == [1, "泽州县某煤矿有限公司"]
        assert agency.post(f"/api/tasks/{review['id']}/complete",  # the agency cannot review its own report
                           json={"data": {"decision": "accept"}}).status_code == 403
        complete(city, "review_report", {"decision": "return"}, status=422)  # a return needs a reason
        complete(city, "review_report", {"decision": "accept"})
        page = city.client.get(f"/cases/{case_id}", headers={"Authorization": f"Bearer {city.token}"})
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "报送定期报告" in text and "逾期未报" in text
        assert "report_submitted" not in text and "report_overdue" not in text
    case = db.session.get(Case, case_id)
    assert case.status == "completed" and case.outcome == "accepted"
    report = db.session.get(PeriodicReport, report_id)
    assert (report.status, report.row_count, report.overdue) == ("accepted", 1, True)


def test_due_date_on_a_rest_day_moves_to_the_next_working_day_and_the_opener_respects_it(app, api_as):
    """民法典 第二百零三条: 2026-01-31 is a Saturday, so the 2025 report is due 2026-02-02 24:00; the scheduler's
    opener opens the last closed period only while it is not yet due, and only once."""
    with freeze_time("2025-06-02 09:00:00+08:00"):
        registered_agency(api_as)
    with freeze_time("2026-01-05 09:00:00+08:00"):
        assert "reports opened: 1" in _open(app, "open-due")
    with freeze_time("2026-01-06 09:00:00+08:00"):
        assert "reports opened: 0" in _open(app, "open-due")
    report = db.session.query(PeriodicReport).one()
    assert report.period == "2025" and report.due_at == datetime(2026, 2, 2, 16, tzinfo=UTC)
    assert _tick(2026, 2, 1, 16, 1) == 1  # 2026-02-02 00:01: the last day — only the reminder fires
    assert db.session.query(CaseLink).count() == 0 and _events(report.case_id, "reminder_sent")
    assert _tick(2026, 2, 2, 16, 1) == 1  # 2026-02-03 00:01: overdue
    assert db.session.query(CaseLink).one().ground == "JC-17-3"
    # the 2026 report cannot be opened before the year is over, nor the 2024 one after its due date
    with freeze_time("2026-01-06 09:00:00+08:00"):
        assert "报告期尚未结束" in _open(app, "open", "--period", "2026")
        assert "报送期限已过" in _open(app, "open", "--period", "2024")
        assert "四位年份" in _open(app, "open", "--period", "2026H1")


def _wujin(tmp_path, template):
    from tests.conftest import make_app
    return make_app(tmp_path, template, ANFU_CITY="wujin")


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_wujin_half_year_report_excel_round_trip_and_a_bad_file_rejected_row_by_row(tmp_path, _template_db):
    """[WJ] 第十五条 / 附件3: the template has the 工作报表 columns; a filled one is imported into the form; a
    malformed one is refused with each bad row named and nothing saved; the report is filed and accepted."""
    app = _wujin(tmp_path, _template_db)
    with app.app_context():
        client, api_as = api_maker(app)
        with freeze_time("2026-03-02 09:00:00+08:00"):
            _, agency_row = registered_agency(api_as, county="320412")
        with freeze_time("2026-07-01 09:00:00+08:00"):
            assert "reports opened: 1" in _open(app, "open-due")
            agency = api_as("agency", agency_id=agency_row.id)
            task = task_of(agency, "submit_report")
            assert task["due_at"].startswith("2026-07-07T16:00:00")  # 6-30 + 7 days, 24:00 Asia/Shanghai
            headers = {"Authorization": f"Bearer {agency.token}"}
            template = client.get("/reports/template.xlsx", headers=headers)
            assert template.status_code == 200
            ws = load_workbook(io.BytesIO(template.data)).active
            header = [c.value for c in ws[1]]
            assert header == ["序号", "项目企业名称", "项目主要内容", "项目所在镇（街道）", "签约时间", "完成时间",
                              "服务价格（万元）", "项目企业联系人及联系方式"]

            bad = _xlsx([header,
                         [1, "常州某机械有限公司", "安全标准化咨询", "湖塘镇", "2026-13-01", "", 8, "张三 13900000000"],
                         [2, "", "隐患排查", "牛塘镇", "2026-04-01", "2026-03-01", -2, "李四 13900000001"]])
            res = client.post(f"/tasks/{task['id']}/import-report/rows", headers=headers,
                              data={"import_rows": (io.BytesIO(bad), "报表.xlsx")}, content_type="multipart/form-data")
            page = res.get_data(as_text=True)
            assert res.status_code == 422
            for message in ("第1行：签约时间应为日期（YYYY-MM-DD）", "第2行：项目企业名称不能为空",
                            "第2行：服务价格（万元）不能为负数", "第2行：完成时间不能早于签约时间"):
                assert message in page
            assert "常州某机械有限公司" not in page  # nothing from the bad file is taken into the form
            assert db.session.query(PeriodicReport).one().status == "open"
            assert not db.session.query(AuditEvent).filter_by(action="report_submitted").count()

            good = _xlsx([header,
                          [1, "常州某机械有限公司", "安全标准化咨询", "湖塘镇", datetime(2026, 3, 5), None, 8,
                           "张三 13900000000"],
                          [2, "武进某化工有限公司", "隐患排查", "牛塘镇", "2026-04-01", "2026-06-20", 3.5,
                           "李四 13900000001"]])
            res = client.post(f"/tasks/{task['id']}/import-report/rows", headers=headers,
                              data={"import_rows": (io.BytesIO(good), "报表.xlsx")}, content_type="multipart/form-data")
            page = res.get_data(as_text=True)
            assert res.status_code == 200 and "已导入 2 行" in page
            rows = ("常州某机械有限公司\t安全标准化咨询\t湖塘镇\t2026-03-05\t\t8\t张三 13900000000\n"
                    "武进某化工有限公司\t隐患排查\t牛塘镇\t2026-04-01\t2026-06-20\t3.5\t李四 13900000001")
            assert rows.replace("\t", "&#9;") in page or rows in page
            complete(agency, "submit_report", {"rows": rows, "principal": "王建国", "filled_by": "李娜",
                                               "phone": "0519-86000000"})
            assert db.session.query(PeriodicReport).one().status == "submitted"
            city = api_as("city_official")
            review = task_of(city, "review_report")
            [table] = city.get(f"/api/tasks/{review['id']}").get_json()["tables"]
            assert "2026-01-01 至 2026-06-30" in table["title"] and len(table["rows"]) == 2
            complete(city, "review_report", {"decision": "accept"})
            page = client.get("/reports?period=2026h1", headers={"Authorization": f"Bearer {city.token}"})
            text = page.get_data(as_text=True)
            assert page.status_code == 200 and "2026年上半年" in text and agency_row.name in text and "审核通过" in text
            assert client.get("/reports", headers=headers).status_code == 403  # agencies see only their own case
            bad_period = client.get("/reports?period=2026", headers={"Authorization": f"Bearer {city.token}"})
            assert bad_period.status_code == 422
        report = db.session.query(PeriodicReport).one()
        assert (report.status, report.row_count, report.overdue) == ("accepted", 2, False)
        db.engine.dispose()


def test_wujin_overdue_half_year_report_opens_an_interview_on_article_24_1(tmp_path, _template_db):
    """[WJ] 第二十四条(一): not reporting under 第十五条 is 逃避监管 → 约谈警示 with that ground preselected."""
    app = _wujin(tmp_path, _template_db)
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-03-02 09:00:00+08:00"):
            _, agency_row = registered_agency(api_as, county="320412")
        with freeze_time("2026-07-01 09:00:00+08:00"):
            assert "reports opened: 1" in _open(app, "open-due")
        assert _tick(2026, 7, 7, 15, 59) == 1  # only the reminder (2 working days before)
        assert db.session.query(CaseLink).count() == 0
        assert _tick(2026, 7, 7, 16, 1) == 1
        link = db.session.query(CaseLink).one()
        assert (link.ground, link.agency_id) == ("WJ-24-1", agency_row.id)
        db.engine.dispose()


def test_only_the_platform_opens_reports_and_other_agencies_see_nothing(app, api_as):
    """定期报告 is never started from the menu; another agency cannot open someone else's report."""
    with freeze_time("2027-06-01 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
        other, _ = registered_agency(api_as, n=2)
        assert other.post("/api/cases", json={"process": "periodic_report"}).status_code in (403, 409)
    with freeze_time("2028-01-02 09:00:00+08:00"):
        _open(app, "open", "--period", "2027")
        other = api_as("agency", agency_id=other.user.agency_id)
        mine = db.session.query(PeriodicReport).filter_by(agency_id=agency_row.id).one()
        assert other.get(f"/api/cases/{mine.case_id}").status_code == 403


def test_returned_report_is_corrected_within_the_working_day_period_and_accepted(app, api_as):
    """Review → 退回修改 with a reason: the agency's corrected report opens with its own earlier rows and is due
    10 working days later (platform default, domain.md §8); the resubmission goes back to review."""
    with freeze_time("2027-06-01 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
    with freeze_time("2028-01-03 09:00:00+08:00"):
        _open(app, "open", "--period", "2027")
        agency, city = api_as("agency", agency_id=agency_row.id), api_as("city_official")
        footer = {"principal": "王建国", "filled_by": "李娜", "phone": "0356-2020000"}
        complete(agency, "submit_report", dict(footer, rows=ROWS_JC))
        complete(city, "review_report", {"decision": "return", "opinion": "请补充服务价格的计算依据"})
        assert db.session.query(PeriodicReport).one().status == "returned"
        task = task_of(agency, "correct_report")
        assert task["due_at"].startswith("2028-01-17T16:00:00")  # 10 working days after 2028-01-03
        assert agency.get(f"/api/tasks/{task['id']}").get_json()["prefill"]["rows"] == ROWS_JC
        complete(agency, "correct_report", dict(footer, rows=ROWS_JC, summary="价格按合同约定"))
        complete(city, "review_report", {"decision": "accept"})
    report = db.session.query(PeriodicReport).one()
    assert report.status == "accepted" and db.session.get(Case, report.case_id).outcome == "accepted"


def test_report_policy_is_checked_on_load(tmp_path):
    """reports.yaml is cited policy data: a ground that is not one of the city's interview grounds, or a column
    without a source, is refused when the policy loads (no silent default)."""
    import shutil

    import pytest

    from rules.city_policy import POLICY_ROOT, PolicyError, clear_cache, load_city
    root = tmp_path / "policies"
    shutil.copytree(POLICY_ROOT, root)
    path = root / "wujin" / "reports.yaml"
    good = path.read_text(encoding="utf-8")
    assert load_city("wujin", root=root).reports.columns[0]["name"] == "项目企业名称"
    path.write_text(good.replace("value: WJ-24-1", "value: WJ-99-9"), encoding="utf-8")
    clear_cache()
    with pytest.raises(PolicyError, match="interview_grounds"):
        load_city("wujin", root=root)
    path.write_text(good.replace('source: "[WJ] 附件3"}', "source: 附件3}", 1), encoding="utf-8")
    clear_cache()
    with pytest.raises(PolicyError, match="names no document tag"):
        load_city("wujin", root=root)
    clear_cache()


def test_a_city_official_opens_a_period_from_the_page_and_a_lapsed_rule_is_flagged(api_as, client):
    """No shell needed: the overview has the button; after [JC] 第二十二条's two years the page warns."""
    from freezegun import freeze_time

    from models import Case, db
    from tests.factories import PASSWORD
    from tests.sanctions_factories import registered_agency
    with freeze_time("2026-12-20 09:00:00+08:00"):
        registered_agency(api_as)
    with freeze_time("2027-01-05 09:00:00+08:00"):
        city, agency = api_as("city_official"), api_as("agency", name="另一机构")
        client.post("/login", data={"username": agency.user.username, "password": PASSWORD})
        assert client.post("/reports/open", data={"period": "2026"}).status_code == 403
        client.post("/logout")
        client.post("/login", data={"username": city.user.username, "password": PASSWORD})
        page = client.get("/reports?period=2026").get_data(as_text=True)
        assert "立即发起" in page and "flask --app" not in page and "已过有效期" in page
        assert client.post("/reports/open", data={"period": "2026"}).status_code == 302
        assert db.session.query(Case).filter_by(process_key="periodic_report").count() == 1
