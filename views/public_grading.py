"""Public grading pages (no login): publicity with the objection form, the final list and its Excel."""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from openpyxl import Workbook

from models import GradingRound, db
from rules.spreadsheet import append_row
from workflows.errors import Conflict, InvalidInput, NotFound
from workflows.grading import file_objection, final_list, in_publicity, objection_by_code, scheme_notes

public_grading = Blueprint("public_grading", __name__, url_prefix="/public/grading")
OBJECTION_STATUS = {"received": "已收到，正在核查", "dismissed": "已答复：异议不成立，维持评定结果",
                    "upheld": "已答复：异议成立，重新检查评估"}
FINAL_COLUMNS = ["序号", "机构名称", "统一社会信用代码", "得分", "等级"]


@public_grading.get("/publicity")
def publicity():
    """Preliminary grades under publicity, each with its end date and how it was counted ([LY22] 四(三))."""
    return _publicity_page({}, {})


def _publicity_page(errors: dict, form, status: int = 200):
    entries = in_publicity()
    notes = {s: scheme_notes(s) for s in sorted({e.round.scheme for e in entries})}
    return render_template("public/publicity.html", entries=entries, notes=notes, errors=errors, form=form), status


@public_grading.post("/objections")
def objection():
    """File an objection, named or anonymous, with text and an optional PDF/JPEG/PNG."""
    upload = request.files.get("file")
    try:
        raw = request.form.get("entry_id", "")
        entry_id = int(raw) if raw.isdigit() and int(raw) < 2**31 else 0  # INTEGER id column; junk is "no entry"
        obj = file_objection(entry_id, text=request.form.get("text", ""),
                             name=request.form.get("name", ""), contact=request.form.get("contact", ""),
                             filename=upload.filename if upload else "", content=upload.read() if upload else b"")
        db.session.commit()
    except (InvalidInput, Conflict) as err:
        db.session.rollback()
        return _publicity_page(err.errors or {"text": [err.message]}, request.form, err.status)
    flash(f"异议已收到，受理编号 {obj.tracking_code}。请妥善保存，可凭受理编号查询处理情况和答复。")
    return redirect(url_for("public_grading.publicity"))


@public_grading.get("/objections/lookup")
def objection_lookup():
    """The objector looks up an objection by its 受理编号: status and the recorded reply; nothing else is revealed."""
    code = (request.args.get("code") or "").strip().upper()
    obj = objection_by_code(code) if code else None
    status = 404 if code and obj is None else 200
    return render_template("public/objection_lookup.html", code=code, objection=obj,
                           status_label=OBJECTION_STATUS.get(obj.status, "") if obj else ""), status


@public_grading.get("/rounds/<int:round_id>/final")
def final(round_id: int):
    """The final list: the grades the scheme lists (临沂 一般 and above; 嘉兴 the starred agencies)."""
    rnd = db.session.get(GradingRound, round_id)
    if rnd is None or rnd.status != "final":
        raise NotFound("最终名单尚未公布")
    return render_template("public/grading_final.html", rnd=rnd, entries=final_list(round_id),
                           notes=scheme_notes(rnd.scheme))


@public_grading.get("/rounds/<int:round_id>/final.xlsx")
def final_xlsx(round_id: int):
    """The final list as Excel, with the page's columns."""
    rnd = db.session.get(GradingRound, round_id)
    if rnd is None or rnd.status != "final":
        raise NotFound("最终名单尚未公布")
    wb = Workbook()
    ws = wb.active
    ws.title = "最终名单"
    append_row(ws, FINAL_COLUMNS[:-1] + [scheme_notes(rnd.scheme)["grade_label"]])
    for n, e in enumerate(final_list(round_id), start=1):
        append_row(ws, [n, e.agency.name, e.agency.credit_code, e.final_score, e.grade])
    out = io.BytesIO()
    wb.save(out)
    return send_file(io.BytesIO(out.getvalue()), as_attachment=True, download_name=f"{rnd.title}结果.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
