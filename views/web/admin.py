"""Administrator pages: the holiday / make-up workday table, and the validity of the documents the rules cite."""
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import db
from views.tx import commits
from workflows.calendar import PACKAGE_YEARS
from workflows.calendar_admin import calendar_rows, declare_year, delete_calendar_day, set_calendar_day
from workflows.calendar_service import platform_calendar
from workflows.clock import today
from workflows.errors import InvalidInput, NotAllowed
from workflows.validity import document_rows

from . import web


def _require_admin() -> None:
    if current_user.role != "admin":
        raise NotAllowed("只有系统管理员可以维护节假日表")


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", {"day": ["日期格式应为 YYYY-MM-DD"]}) from None


@web.get("/admin/calendar")
@login_required
def calendar_page():
    """The table, with the years the package covers and a form to add a day or declare a year."""
    _require_admin()
    days, years = calendar_rows()
    cal = platform_calendar()
    return render_template("admin/calendar.html", days=days, years=years, cal=cal, errors={}, package_years=PACKAGE_YEARS)


@web.post("/admin/calendar")
@login_required
def calendar_set():
    """Declare a date a working day or a day off, with its basis."""
    _require_admin()
    try:
        set_calendar_day(current_user, _day(request.form.get("day", "")),
                         is_workday=request.form.get("is_workday") == "1", note=request.form.get("note", ""))
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        days, years = calendar_rows()
        return render_template("admin/calendar.html", days=days, years=years, cal=platform_calendar(),
                               errors=err.errors, form=request.form,
                               package_years=PACKAGE_YEARS), 422
    flash("已保存；在办案件中涉及该年份的暂定期限已按新数据重新计算（见各案件办理记录）")
    return redirect(url_for("web.calendar_page"))


@web.post("/admin/calendar/<day>/delete")
@login_required
@commits
def calendar_delete(day: str):
    """Remove an override."""
    _require_admin()
    delete_calendar_day(current_user, _day(day))
    flash("已删除；在办案件中涉及该年份的暂定期限已重新计算")
    return redirect(url_for("web.calendar_page"))


@web.post("/admin/calendar/years")
@login_required
@commits
def calendar_year():
    """Declare a year's arrangement complete."""
    _require_admin()
    raw = request.form.get("year", "")
    if not raw.isdigit():
        raise InvalidInput("年份应为四位数字", {"year": ["年份应为四位数字"]})
    declare_year(current_user, int(raw), request.form.get("source", ""))
    flash("已声明；在办案件中该年份的暂定期限已重新计算并不再标注“暂定”")
    return redirect(url_for("web.calendar_page"))


@web.get("/admin/documents")
@login_required
def documents_page():
    """The documents the city's rules cite, with their validity; lapsed ones first ([JC] 第二十二条)."""
    _require_admin()
    policy = current_app.config["CITY_POLICY"]
    rows = document_rows(policy, today())
    return render_template("admin/documents.html", policy=policy, rows=rows, today=today(),
                           lapsed=[r for r in rows if r["lapsed"]])
