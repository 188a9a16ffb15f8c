"""Public complaint pages (no login): file a complaint or report, named or anonymous, and look it up by 受理编号."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from models import db
from workflows.complaints import STATUS_LABELS, complaint_by_code, file_complaint, policy, registered_agencies
from workflows.errors import Conflict, InvalidInput

public_complaints = Blueprint("public_complaints", __name__, url_prefix="/public/complaints")


def _form_page(errors: dict, form, status: int = 200):
    return render_template("public/complaint_new.html", policy=policy(), agencies=registered_agencies(),
                           errors=errors, form=form), status


@public_complaints.get("/new")
def new():
    """The complaint form with the city's channels and rules ([JC] 第二十条; [WJ] 第五条; [LY23] 第十八条)."""
    return _form_page({}, {})


@public_complaints.post("/new")
def submit():
    """File a complaint with text, an optional PDF/JPEG/PNG and optional name and contact; shows the 受理编号."""
    upload = request.files.get("file")
    raw = request.form.get("agency_id", "")
    agency_id = int(raw) if raw.isdigit() and int(raw) < 2**31 else None  # junk is "not chosen"
    try:
        complaint = file_complaint(text=request.form.get("text", ""), agency_id=agency_id,
                                   agency_named=request.form.get("agency_named", ""),
                                   name=request.form.get("name", ""), contact=request.form.get("contact", ""),
                                   filename=upload.filename if upload else "",
                                   content=upload.read() if upload else b"")
        db.session.commit()
    except (InvalidInput, Conflict) as err:
        db.session.rollback()
        return _form_page(err.errors or {"text": [err.message]}, request.form, 422 if err.errors else err.status)
    flash(f"投诉举报已受理，受理编号 {complaint.tracking_code}。请妥善保存，可凭受理编号查询办理情况和答复。")
    return redirect(url_for("public_complaints.lookup"))


@public_complaints.get("/lookup")
def lookup():
    """The complainant looks up a complaint by 受理编号: status, outcome and reply; nothing else is revealed."""
    code = (request.args.get("code") or "").strip().upper()
    complaint = complaint_by_code(code) if code else None
    status = 404 if code and complaint is None else 200
    return render_template("public/complaint_lookup.html", code=code, complaint=complaint, policy=policy(),
                           status_label=STATUS_LABELS.get(complaint.status, "") if complaint else ""), status
