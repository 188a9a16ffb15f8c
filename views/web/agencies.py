"""An agency's supervision page (information, change history, dormancy) and 执业告知 pages."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from models import Agency, Unit, db
from views.tx import commits
from workflows import clock
from workflows.dormancy import notices_of, object_dormancy, open_notice, reverse_cancellation
from workflows.errors import InvalidInput, NotAllowed, NotFound
from workflows.info_changes import CHANGE_FIELDS, all_changes, change_history, changes_basis
from workflows.practice_notice import file_practice_notice, notices_for, service_types
from workflows.staff import can_view_roster

from . import web


def _agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("机构不存在")
    if not can_view_roster(current_user, agency):
        raise NotAllowed("您无权查看该机构")
    return agency


@web.get("/agencies/<int:agency_id>")
@login_required
def agency_page(agency_id: int):
    """Information, filed changes (late ones flagged with the count), history, dormancy notices, 执业告知."""
    agency = _agency(agency_id)
    from models import PracticeNotice
    notices = db.session.execute(select(PracticeNotice).where(PracticeNotice.agency_id == agency.id)
                                 .order_by(PracticeNotice.id.desc())).scalars().all()
    return render_template("agencies/page.html", agency=agency, changes=all_changes(agency.id),
                           history=change_history(agency.id), change_labels=CHANGE_FIELDS,
                           dormancy=notices_of(agency.id), pending=open_notice(agency.id),
                           practice=notices, period_basis=changes_basis("info_change", "working_days"))


@web.post("/agencies/<int:agency_id>/dormancy/reverse")
@login_required
@commits
def dormancy_reverse(agency_id: int):
    """An official restores a cancelled (注销) account, or closes a notice, with a reason."""
    _agency(agency_id)
    reverse_cancellation(current_user, agency_id, request.form.get("reason", ""), clock.now())
    flash("已撤销注销并记录理由")
    return redirect(url_for("web.agency_page", agency_id=agency_id))


@web.post("/agencies/<int:agency_id>/dormancy/objection")
@login_required
@commits
def dormancy_objection(agency_id: int):
    """The agency objects to a dormancy notice; the county decides."""
    _agency(agency_id)
    object_dormancy(current_user, agency_id, request.form.get("objection", ""), clock.now())
    flash("已提交异议，注销暂停，等待应急管理部门处理")
    return redirect(url_for("web.agency_page", agency_id=agency_id))


class PracticeNoticeIn(Schema):
    """执业告知: client, project location county, service type, dates."""

    client_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    project_address = fields.String(required=True, validate=validate.Length(min=1, max=300))
    location_county = fields.String(required=True, validate=validate.Length(min=6, max=6))
    service_type = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


def _counties() -> list[Unit]:
    return list(db.session.execute(select(Unit).where(Unit.level == "county").order_by(Unit.code)).scalars())


def _notices_page(errors: dict | None = None, form=None, status: int = 200):
    return render_template("agencies/practice_notices.html", notices=notices_for(current_user), errors=errors or {},
                           form=form or {}, counties=_counties(), types=service_types(),
                           basis=changes_basis("practice_notice", "working_days_before")), status


@web.route("/practice-notices", methods=["GET", "POST"])
@login_required
def practice_notices():
    """The list (a county sees notices for projects in its county) and the agency's form to file one."""
    if request.method == "GET":
        return _notices_page()
    try:
        try:
            data = PracticeNoticeIn().load(request.form.to_dict())
        except ValidationError as err:
            raise InvalidInput("请修改标红的项目", err.messages) from None
        if data["service_type"] not in service_types():
            raise InvalidInput("请修改标红的项目", {"service_type": ["请从给定选项中选择"]})
        file_practice_notice(current_user, data, clock.now())
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _notices_page(err.errors, request.form, 422)
    flash("执业告知已报送项目所在地应急管理部门")
    return redirect(url_for("web.practice_notices"))
