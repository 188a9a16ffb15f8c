"""Periodic reports: the table's Excel template, importing a filled one into a report form, the period overview."""
import io

from flask import current_app, flash, render_template, request, send_file
from flask_login import current_user, login_required

from rules.report_table import XLSX, import_xlsx, template_xlsx
from views.forms import form_fields, form_values
from views.tx import commits
from workflows.errors import InvalidInput, NotAllowed
from workflows.reports import period_reports, report_policy
from workflows.tasks import get_open_task

from . import web
from .tasks import _render, _store_uploads

OVERVIEW_ROLES = ("city_official", "county_official", "leader", "admin", "auditor")


@web.get("/reports/template.xlsx")
@login_required
def report_template():
    """The city's report table as an Excel template (e.g. [WJ] 附件3 工作报表), columns as on the paper form."""
    policy = report_policy()
    return send_file(io.BytesIO(template_xlsx(policy.table_title, policy.columns)), as_attachment=True,
                     download_name=f"{policy.table_title}.xlsx", mimetype=XLSX)


@web.post("/tasks/<task_id>/import-report/<field>")
@login_required
def import_report_rows(task_id: str, field: str):
    """Fill the report table from an uploaded .xlsx; every bad row is listed and nothing from the file is taken."""
    task = get_open_task(current_user, task_id)
    fields = {f["name"]: f for f in form_fields(task.form_key)}
    values = form_values(list(fields.values()))
    if field not in fields or fields[field]["widget"] != "report_rows":
        raise InvalidInput("该项不能导入", {field: ["该项不能导入"]})
    upload_errors = _store_uploads(task, list(fields.values()), values)
    task = get_open_task(current_user, task_id)
    upload = request.files.get(f"import_{field}")
    text, errors = import_xlsx(report_policy().columns, upload.read() if upload else b"")
    if errors or upload_errors:
        return _render(task, values, dict(upload_errors, **({field: errors} if errors else {})), 422)
    values[field] = text
    flash(f"已导入 {len(text.splitlines())} 行，请核对后提交")
    return _render(task, values)


@web.get("/reports")
@login_required
def reports_page():
    """Officials: every agency's report of a period — status, due date, overdue — linked to its case."""
    if current_user.role not in OVERVIEW_ROLES:
        raise NotAllowed("您的角色不能查看定期报告汇总")
    policy = report_policy()
    from workflows.clock import today
    period = request.args.get("period") or policy.last_closed_period(today())
    try:
        rows = period_reports(period)
    except ValueError as err:
        raise InvalidInput(str(err), {"period": [str(err)]}) from None
    from workflows.reports import rules_warning
    label = policy.normalize(period)
    return render_template("reports/overview.html", policy=policy, period=label,
                           period_name=policy.period_name(period), rows=rows,
                           city=current_app.config["CITY_POLICY"], warning=rules_warning(label),
                           may_open=current_user.role in ("city_official", "leader"))


@web.post("/reports/open")
@login_required
@commits
def open_reports():
    """A city official opens the period's report cases now (the scheduler does it after the period ends)."""
    from flask import flash, redirect, url_for

    from workflows.reports import open_period_reports
    if current_user.role not in ("city_official", "leader"):
        raise NotAllowed("只有市级监管人员可以发起定期报告")
    period = request.form.get("period", "")
    opened = open_period_reports(period, current_user)
    flash(f"已为 {len(opened)} 家机构发起{report_policy().period_name(period)}报告")
    return redirect(url_for("web.reports_page", period=period))
