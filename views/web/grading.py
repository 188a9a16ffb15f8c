"""City officials' pages for grading rounds: open a round, the overview of every agency, Excel, final list."""
import io
import re
from datetime import date

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select

from models import Agency, GradingRound, db
from rules.spreadsheet import append_row
from views.tx import commits
from workflows.errors import InvalidInput, NotAllowed, NotFound
from workflows.grading import PANEL_MODES, entries, open_round, publish_final_list

from . import web

PHASES = {"self_assessment": "自查自评", "inspection": "检查评估", "publicity": "公示中", "final": "等级确定",
          "waived": "视为主动放弃"}
COLUMNS = ["机构名称", "统一社会信用代码", "阶段", "自评得分", "得分", "等级", "公示截止"]


def _officials_only() -> None:
    if current_user.role not in ("city_official", "leader", "auditor", "admin"):
        raise NotAllowed("只有市级监管人员可以查看评定轮次")


def _date(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", {name: ["日期格式应为 YYYY-MM-DD"]}) from None


@web.route("/grading/rounds", methods=["GET", "POST"])
@login_required
def grading_rounds():
    """Rounds so far, and the form to open one with its participants."""
    _officials_only()
    errors = {}
    if request.method == "POST":
        try:
            rnd, refused = open_round(
                current_user, scheme=request.form.get("scheme", ""), year=int(year) if re.fullmatch(r"\d{1,4}", year := request.form.get("year", "").strip()) else 0,
                self_assessment_ends_on=_date("self_assessment_ends_on"), inspection_ends_on=_date("inspection_ends_on"),
                classification_ends_on=_date("classification_ends_on"),
                agency_ids=[int(i) for i in request.form.getlist("agency_ids") if i.isdigit()],
                panel_mode=request.form.get("panel_mode") or None)
            db.session.commit()
            for r in refused:
                flash(f"机构 {r['agency_id']} 未能参加：{r['reason']}")
            return redirect(url_for("web.grading_round", round_id=rnd.id))
        except InvalidInput as err:
            db.session.rollback()
            errors = err.errors
    rounds = db.session.execute(select(GradingRound).order_by(GradingRound.id.desc())).scalars().all()
    agencies = db.session.execute(select(Agency).where(Agency.status == "registered").order_by(Agency.name)).scalars()
    return render_template("grading/rounds.html", rounds=rounds, agencies=agencies, errors=errors,
                           form=request.form, schemes=_schemes(), panel_modes=PANEL_MODES), (422 if errors else 200)


def _schemes() -> list[tuple[str, str, bool]]:
    """(key, label, selected) of every shipped scheme; the deployment's own city comes first and is selected."""
    from flask import current_app

    from rules.policy import grading_schemes, shipped_sheet
    city = current_app.config["ANFU_CITY"]
    out = []
    for key, name in grading_schemes().items():
        sheet = shipped_sheet(name)
        out.append((key, f"{sheet.raw['scheme']['city']}：{sheet.name}（{sheet.source}）", key == city))
    return sorted(out, key=lambda s: not s[2])


@web.get("/grading/rounds/<int:round_id>")
@login_required
def grading_round(round_id: int):
    """Every agency's phase, score and status in one table."""
    _officials_only()
    rnd = db.session.get(GradingRound, round_id)
    if rnd is None:
        raise NotFound("评定轮次不存在")
    return render_template("grading/round.html", rnd=rnd, entries=entries(round_id), phases=PHASES,
                           panel_modes=PANEL_MODES)


@web.get("/grading/rounds/<int:round_id>.xlsx")
@login_required
def grading_round_xlsx(round_id: int):
    """The overview as Excel, with the same columns."""
    _officials_only()
    wb = Workbook()
    ws = wb.active
    ws.title = "评定情况"
    append_row(ws, COLUMNS)
    from views.filters import deadline_end
    for e in entries(round_id):
        append_row(ws, [e.agency.name, e.agency.credit_code, PHASES[e.phase], e.self_score, e.final_score, e.grade or "",
                   deadline_end(e.publicity_until) if e.publicity_until else ""])
    out = io.BytesIO()
    wb.save(out)
    return send_file(io.BytesIO(out.getvalue()), as_attachment=True, download_name=f"评定情况-{round_id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@web.post("/grading/rounds/<int:round_id>/publish")
@login_required
@commits
def grading_publish(round_id: int):
    """Publish the final list once every agency's grade is final."""
    publish_final_list(current_user, round_id, confirmed=request.form.get("confirmed") == "on")
    flash("最终名单已公布")
    return redirect(url_for("web.grading_round", round_id=round_id))
