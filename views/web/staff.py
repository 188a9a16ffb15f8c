"""Staff roster pages (人员库): the agency keeps its roster; officials see each agency's and expiring certificates."""
import io
from datetime import date

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from handlers.staff_roster import load_staff
from models import Agency, StaffMember, db
from models.staff import QUALIFICATION_KINDS
from rules.staff_table import export_xlsx
from views.api.staff import XLSX, export_rows, import_file
from workflows import clock
from workflows.errors import InvalidInput, NotAllowed, NotFound
from workflows.staff import (
    add_staff,
    can_edit_roster,
    can_set_exam,
    can_view_roster,
    expiring_certificates,
    leave_staff,
    roster,
    set_exam_result,
    staff_settings,
    update_staff,
    visible_agency,
)

from . import web

CERT_ROWS = 3


def _form_body() -> dict:
    """The page form as StaffIn input: person fields plus the certificate rows that have any value."""
    f = request.form
    certs = []
    for kind, title, number, expires in zip(f.getlist("cert_kind"), f.getlist("cert_title"), f.getlist("cert_number"),
                                            f.getlist("cert_expires_on")):
        if kind or number or expires:
            certs.append({"kind": kind, "title": title, "number": number, "expires_on": expires or None})
    return {"name": f.get("name", ""), "id_number": f.get("id_number", ""), "employed_on": f.get("employed_on") or None,
            "insured_since": f.get("insured_since") or None, "certificates": certs}


def _page(agency: Agency, *, errors=None, form=None, editing: StaffMember | None = None, status: int = 200):
    return render_template("staff/roster.html", agency=agency, rows=roster(agency), cfg=staff_settings(),
                           errors=errors or {}, form=form, editing=editing, kinds=QUALIFICATION_KINDS,
                           cert_rows=CERT_ROWS, can_edit=can_edit_roster(current_user, agency),
                           can_exam=can_set_exam(current_user, agency), today=clock.today()), status


@web.get("/staff")
@login_required
def staff_home():
    """The agency goes to its own roster; officials to the list of agencies and expiring certificates."""
    if current_user.role == "agency":
        if current_user.agency_id is None:
            raise NotFound("您的账号尚未关联已登记建档的机构")
        return redirect(url_for("web.staff_roster", agency_id=current_user.agency_id))
    agencies = [a for a in db.session.execute(select(Agency).where(Agency.status == "registered")
                                              .order_by(Agency.name)).scalars() if can_view_roster(current_user, a)]
    if not agencies and current_user.role not in ("county_official", "city_official", "leader", "auditor", "admin"):
        raise NotAllowed("您无权查看机构人员库")
    return render_template("staff/agencies.html", agencies=agencies, cfg=staff_settings(),
                           expiring=expiring_certificates(current_user))


@web.route("/agencies/<int:agency_id>/staff", methods=["GET", "POST"])
@login_required
def staff_roster(agency_id: int):
    """The roster with each person's flags, and (for the agency) the form to add a person."""
    agency = visible_agency(current_user, agency_id)
    if request.method == "GET":
        return _page(agency)
    data, errors = load_staff(_form_body())
    try:
        if errors:
            raise InvalidInput("请修改标红的项目", errors)
        add_staff(current_user, agency.id, data)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _page(agency, errors=err.errors, form=request.form, status=422)
    flash(f"已将{data['name']}加入人员库")
    return redirect(url_for("web.staff_roster", agency_id=agency.id))


@web.route("/agencies/<int:agency_id>/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@login_required
def staff_edit(agency_id: int, staff_id: int):
    """Correct a person's record."""
    agency = visible_agency(current_user, agency_id)
    member = db.session.get(StaffMember, staff_id)
    if member is None or member.agency_id != agency.id:
        raise NotFound("人员不存在")
    if request.method == "GET":
        return _page(agency, editing=member)
    data, errors = load_staff(_form_body())
    try:
        if errors:
            raise InvalidInput("请修改标红的项目", errors)
        update_staff(current_user, member.id, data)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _page(agency, errors=err.errors, form=request.form, editing=member, status=422)
    flash("已保存")
    return redirect(url_for("web.staff_roster", agency_id=agency.id))


def _posted_date(name: str) -> date | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", {name: ["日期格式应为 YYYY-MM-DD"]}) from None


@web.post("/agencies/<int:agency_id>/staff/<int:staff_id>/leave")
@login_required
def staff_leave(agency_id: int, staff_id: int):
    """Record a person's leaving (离职)."""
    agency = visible_agency(current_user, agency_id)
    try:
        left_on = _posted_date("left_on")
        if left_on is None:
            raise InvalidInput("请填写离职日期", {"left_on": ["请填写离职日期"]})
        leave_staff(current_user, staff_id, left_on)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _page(agency, errors=err.errors, status=422)
    flash("已办理离职")
    return redirect(url_for("web.staff_roster", agency_id=agency.id))


@web.post("/agencies/<int:agency_id>/staff/<int:staff_id>/exam")
@login_required
def staff_exam(agency_id: int, staff_id: int):
    """An official records (or clears) a person's 业务考核合格 date ([WJ] 第十六条)."""
    agency = visible_agency(current_user, agency_id)
    try:
        set_exam_result(current_user, staff_id, _posted_date("passed_on"))
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _page(agency, errors=err.errors, status=422)
    flash("已登记业务考核结果")
    return redirect(url_for("web.staff_roster", agency_id=agency.id))


@web.get("/agencies/<int:agency_id>/staff.xlsx")
@login_required
def staff_xlsx(agency_id: int):
    """Download the roster as .xlsx."""
    agency = visible_agency(current_user, agency_id)
    return send_file(io.BytesIO(export_xlsx(export_rows(agency))), mimetype=XLSX, as_attachment=True,
                     download_name=f"人员库-{agency.name}-{clock.today().isoformat()}.xlsx")


@web.post("/agencies/<int:agency_id>/staff/import")
@login_required
def staff_import(agency_id: int):
    """Import an .xlsx roster, all or nothing; row errors are listed on the page."""
    agency = visible_agency(current_user, agency_id)
    try:
        result = import_file(current_user, agency.id, request.files.get("file"))
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _page(agency, errors=err.errors, status=422)
    flash(f"已导入：新增{result['added']}人，更新{result['updated']}人")
    return redirect(url_for("web.staff_roster", agency_id=agency.id))
