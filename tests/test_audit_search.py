"""Auditors find any case by agency, process, status, date range, actor and words in opinions (issue 5)."""
import io

from freezegun import freeze_time
from openpyxl import load_workbook

from tests.audit_cases import OPINION, approved_case, returned_case
from tests.factories import PASSWORD, Api, credit_code
from tests.test_registration import COUNTY, submit
from views.case_table import HEADERS


def _ids(api, **params) -> list[int]:
    res = api.get("/api/audit/cases", query_string=params)
    assert res.status_code == 200, res.get_json()
    return [row["案件编号"] for row in res.get_json()["items"]]


def _relogin(api: Api) -> Api:
    """A fresh token for the same user (tokens expire; the tests move the clock)."""
    res = api.client.post("/api/tokens", json={"username": api.user.username, "password": PASSWORD})
    return Api(api.client, res.get_json()["token"], api.user)


def _three_cases(api_as):
    """An approved case (Sept), a returned one (Oct) and one still at first review (Nov)."""
    with freeze_time("2026-09-10 10:00:00+08:00"):
        approved, _, official = approved_case(api_as, n=1)
    with freeze_time("2026-10-12 10:00:00+08:00"):
        returned = returned_case(api_as("agency"), _relogin(official), n=2)
    with freeze_time("2026-11-03 10:00:00+08:00"):
        pending = submit(api_as("agency"), n=3)
    return approved, returned, pending, official


def test_each_filter_narrows_the_results(api_as):
    """Agency name and credit code, process, status, start dates, actor and free text each filter."""
    approved, returned, pending, official = _three_cases(api_as)
    auditor = api_as("auditor")
    assert _ids(auditor) == [pending, returned, approved]
    assert _ids(auditor, agency="安泰安全技术服务有限公司（补正）") == [approved]
    assert _ids(auditor, agency=credit_code(2)) == [returned]
    assert _ids(auditor, agency=credit_code(3).lower()) == [pending]
    assert _ids(auditor, process="registration") == [pending, returned, approved]
    assert _ids(auditor, status="completed") == [approved]
    assert _ids(auditor, status="running") == [pending, returned]
    assert _ids(auditor, **{"from": "2026-10-01", "to": "2026-10-31"}) == [returned]
    assert _ids(auditor, **{"from": "2026-10-12"}) == [pending, returned]
    assert _ids(auditor, to="2026-09-10") == [approved]
    assert _ids(auditor, actor=official.user.display_name) == [returned, approved]
    assert _ids(auditor, actor=official.user.username) == [returned, approved]
    assert _ids(auditor, text="营业执照复印件不清晰") == [returned, approved]
    assert _ids(auditor, text="营业执照复印件不清晰", status="completed") == [approved]
    assert _ids(auditor, text="并无此意见") == []
    assert _ids(auditor, text="%") == []  # LIKE wildcards are searched literally


def test_results_are_paged(api_as):
    """Twenty per page; the last page holds the rest."""
    agency = api_as("agency")
    for _ in range(23):
        assert agency.post("/api/cases", json={"process": "registration"}).status_code == 201
    auditor = api_as("auditor")
    first = auditor.get("/api/audit/cases").get_json()
    second = auditor.get("/api/audit/cases?page=2").get_json()
    assert first["total"] == 23 and len(first["items"]) == 20 and len(second["items"]) == 3
    page = auditor.client.get("/audit/cases?page=2", headers=auditor._h()).get_data(as_text=True)
    assert "第 2 / 2 页" in page and "上一页" in page


def test_excel_export_has_the_page_columns_and_all_matches(api_as, client):
    """The .xlsx holds the same columns as the page and every matching case."""
    approved, returned, _, _ = _three_cases(api_as)
    auditor = api_as("auditor")
    page = auditor.client.get("/audit/cases?text=" + OPINION[:6], headers=auditor._h())
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and all(f"<th>{h}</th>" in html for h in HEADERS)
    res = auditor.client.get("/audit/cases.xlsx?text=" + OPINION[:6], headers=auditor._h())
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(res.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == [returned, approved]
    by_id = {r[0]: dict(zip(HEADERS, r, strict=True)) for r in rows[1:]}
    assert by_id[approved]["状态"] == "已办结" and by_id[approved]["所属单位"] == "城区"
    assert by_id[approved]["机构"] == "晋城市安泰安全技术服务有限公司（补正）"
    assert by_id[returned]["统一社会信用代码"] == credit_code(2)


def test_bad_filters_answer_422_in_chinese(api_as):
    """A date that is not a date, a reversed range or an unknown status is refused with field messages."""
    auditor = api_as("auditor")
    res = auditor.get("/api/audit/cases?from=2026-13-01&status=done")
    body = res.get_json()
    assert res.status_code == 422 and "YYYY-MM-DD" in body["errors"]["from"][0] and "status" in body["errors"]
    res = auditor.get("/api/audit/cases?from=2026-10-02&to=2026-10-01")
    assert res.status_code == 422 and res.get_json()["errors"]["to"] == ["结束日期不能早于开始日期"]
    page = auditor.client.get("/audit/cases?from=abc", headers=auditor._h())
    assert page.status_code == 422 and "日期格式应为" in page.get_data(as_text=True)


def test_only_auditors_use_the_audit_pages(api_as):
    """Officials, agencies, process owners and the administrator (accounts, not case files) are refused."""
    agency = api_as("agency")
    case_id = submit(agency)
    urls = ["/api/audit/cases", f"/api/cases/{case_id}/diagram", f"/api/cases/{case_id}/export",
            "/api/audit/integrity", "/audit/cases", "/audit/cases.xlsx", f"/audit/cases/{case_id}",
            "/audit/integrity"]
    for role, unit in (("county_official", COUNTY), ("city_official", None), ("process_owner", None),
                       ("agency", None), ("admin", None)):
        who = api_as(role, unit=unit)
        for url in urls:
            assert who.get(url).status_code == 403, (role, url)
    auditor = api_as("auditor")
    for url in urls:
        assert auditor.get(url).status_code == 200, url
