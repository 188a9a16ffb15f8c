"""Spot checks: the county's rounds (start, summary, report to the city, Excel) and the city's 四不两直 checks."""
import io
import json

from flask import redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select

from handlers.spot_check import DECISIONS, RESULT_NAMES
from models import Agency, ServiceContract, Unit, db
from rules.spot_check_policy import half_year_name
from rules.spreadsheet import append_row
from views.tx import commits
from workflows.errors import InvalidInput
from workflows.spot_checks import (
    acknowledge_round,
    get_round,
    report_round,
    rounds_for,
    spot_policy,
    start_round,
    start_unannounced,
)

from . import web

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONCLUSIONS = dict(DECISIONS)
STATUSES = {"open": "检查中", "reported": "已报送市局", "acknowledged": "市局已确认收到"}


def _units() -> dict[str, str]:
    return dict(db.session.execute(select(Unit.code, Unit.name)).all())


def _contracts() -> list[ServiceContract]:
    if current_user.role != "city_official":
        return []
    return list(db.session.execute(select(ServiceContract).join(Agency, Agency.id == ServiceContract.agency_id)
                                   .order_by(Agency.name, ServiceContract.signed_on.desc())).scalars())


def _home(errors: dict | None = None, form: dict | None = None, status: int = 200):
    return render_template("spot_checks/index.html", policy=spot_policy(), rounds=rounds_for(current_user),
                           contracts=_contracts(), errors=errors or {}, form=form or {},
                           statuses=STATUSES, half_year_name=half_year_name, units=_units()), status


@web.get("/spot-checks")
@login_required
def spot_checks_page():
    """Rounds I may see; a county official starts the half-year round, a city official a 四不两直 check."""
    return _home()


@web.post("/spot-checks/rounds")
@login_required
@commits
def spot_check_round_start():
    """Start the county's half-year round from the form; errors re-render the form (422)."""
    form = request.form.to_dict()
    try:
        rnd = start_round(current_user, form.get("period", ""), form.get("inspectors", ""), form.get("seed") or None)
    except InvalidInput as err:
        db.session.rollback()
        return _home(err.errors or {"period": [err.message]}, form, 422)
    return redirect(url_for("web.spot_check_round_page", round_id=rnd.id))


@web.post("/spot-checks/unannounced")
@login_required
@commits
def spot_check_unannounced_start():
    """A city official starts a 四不两直 check of the chosen project; the agency is not told."""
    try:
        row = start_unannounced(current_user, request.form.get("contract_id"))
    except InvalidInput as err:
        db.session.rollback()
        return _home(err.errors, request.form.to_dict(), 422)
    return redirect(url_for("web.case_page", case_id=row.case_id))


def _rows(rnd) -> list[dict]:
    out = []
    for i in rnd.inspections:
        contracts = {c.id: c for c in db.session.execute(select(ServiceContract).where(
            ServiceContract.id.in_(json.loads(i.contract_ids)))).scalars()}
        findings = json.loads(i.findings or "[]")
        problems = [f for f in findings if f["result"] in ("minor", "serious")]
        out.append({"inspection": i, "projects": [contracts[c] for c in json.loads(i.contract_ids) if c in contracts],
                    "problems": problems, "conclusion": CONCLUSIONS.get(i.conclusion, "检查中")})
    return out


@web.get("/spot-checks/rounds/<int:round_id>")
@login_required
def spot_check_round_page(round_id: int):
    """The round's summary (检查报告): seed, each agency's sample, findings, conclusions, 成长值."""
    rnd = get_round(current_user, round_id)
    return render_template("spot_checks/round.html", rnd=rnd, rows=_rows(rnd), policy=spot_policy(),
                           statuses=STATUSES, period_name=half_year_name(rnd.period), results=RESULT_NAMES,
                           units=_units())


@web.post("/spot-checks/rounds/<int:round_id>/report")
@login_required
@commits
def spot_check_round_report(round_id: int):
    """Send the round report to the city."""
    report_round(current_user, round_id, request.form.get("note", ""))
    return redirect(url_for("web.spot_check_round_page", round_id=round_id))


@web.post("/spot-checks/rounds/<int:round_id>/acknowledge")
@login_required
@commits
def spot_check_round_acknowledge(round_id: int):
    """A city official confirms receipt of the report."""
    acknowledge_round(current_user, round_id)
    return redirect(url_for("web.spot_check_round_page", round_id=round_id))


@web.get("/spot-checks/rounds/<int:round_id>/report.xlsx")
@login_required
def spot_check_round_xlsx(round_id: int):
    """The round report as Excel: one line per drawn project and focus point, with 评鉴依据."""
    rnd = get_round(current_user, round_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "抽查检查报告"
    append_row(ws, [f"{half_year_name(rnd.period)}服务项目抽查检查报告（{_units().get(rnd.county_code, rnd.county_code)}）",
                    f"随机种子 {rnd.seed}", f"抽查比例 {rnd.ratio}", f"检查人员 {rnd.inspectors}"])
    append_row(ws, ["机构", "项目数", "抽查数", "项目", "检查重点", "结论", "检查发现", "评鉴依据", "处理意见", "成长值"])
    for row in _rows(rnd):
        i = row["inspection"]
        findings = json.loads(i.findings or "[]") or [{}]
        for f in findings:
            append_row(ws, [i.agency.name, i.project_total, len(row["projects"]), f.get("project", ""),
                            f.get("focus_title", ""), RESULT_NAMES.get(f.get("result"), ""), f.get("finding", ""),
                            f.get("basis", ""), row["conclusion"], i.growth_score if i.growth_score is not None else ""])
    buf = io.BytesIO()
    wb.save(buf)
    return send_file(io.BytesIO(buf.getvalue()), as_attachment=True, mimetype=XLSX,
                     download_name=f"{half_year_name(rnd.period)}抽查检查报告.xlsx")
