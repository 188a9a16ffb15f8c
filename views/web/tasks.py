"""The task page: case summary, documents, history, and the form; claim/unclaim; submit."""
import json

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import Case, db
from views.filters import fmt_datetime
from views.forms import (
    case_data,
    earlier_decisions,
    form_fields,
    form_values,
    prefill_for,
    shown_values,
    tables_for,
    task_submissions,
)
from views.submissions import submission_panels
from views.tx import commits
from workflows.access import can_claim, can_complete, can_see_case
from workflows.documents import upload_document
from workflows.drafts import discard_drafts, my_draft, save_draft
from workflows.errors import InvalidInput
from workflows.forms import form_for
from workflows.queries import case_documents, case_history
from workflows.sanctions import listing_notice, principal_warnings
from workflows.tasks import claim_task, complete_task, get_open_task, unclaim_task

from . import web


def _render(task, values: dict, errors: dict | None = None, status: int = 200, draft_at=None):
    case = task.case
    case_values = case_data(case)
    subs = task_submissions(task)
    return render_template(
        "task.html", task=task, case=case, form=form_for(task.form_key), fields=form_fields(task.form_key),
        values=values, errors=errors or {}, documents=case_documents(case.id, current_user),
        events=_events_for(current_user, case.id),
        can_complete=can_complete(current_user, task), can_claim=can_claim(current_user, task),
        materials=_materials(task), submissions=submission_panels(task, current_user),
        shown=shown_values(task.form_key, case_values, subs) + earlier_decisions(task, subs), tables=tables_for(task),
        due_explanation=_due_explanation(task, case_values), draft_at=draft_at,
        warnings=([] if task.role == "agency" else principal_warnings(case_values))
        + [w for w in [listing_notice(case)] if w]), status


def _events_for(user, case_id: int) -> list:
    """The case timeline; an expert does not see what other experts submitted (independent scoring)."""
    events = [(e, json.loads(e.detail)) for e in case_history(case_id, user)]
    if user.role != "expert":
        return events
    return [(e, d if e.actor_id == user.id or e.role != "expert" else {k: v for k, v in d.items()
                                                                         if k not in ("submitted", "changed")})
            for e, d in events]


def _due_explanation(task, case_values: dict) -> str:
    """How the task's deadline was counted (the deadline variable's explanation), if it has one."""
    if task.due_at is None:
        return ""
    for value in case_values.values():
        if isinstance(value, dict) and "explanation" in value and value.get("due_at"):
            from datetime import datetime
            if datetime.fromisoformat(value["due_at"]) == task.due_at:
                return value["explanation"]
    return ""


def _materials(task) -> list[dict]:
    from flask import current_app
    if task.form_key in ("registration_application", "registration_correction"):
        return list(current_app.config["CITY_POLICY"].registration_materials)
    return []


@web.get("/tasks/<task_id>")
@login_required
def task_page(task_id: str):
    """Open a task: what the case is, what was done so far, and the form to fill in."""
    task = get_open_task(current_user, task_id)
    draft = my_draft(current_user, task.id)
    if draft is not None:
        flash(f"已恢复您于 {fmt_datetime(draft.saved_at)} 暂存的内容，核对后提交")
        return _render(task, dict(draft.data), draft_at=draft.saved_at)
    return _render(task, prefill_for(task))


@web.post("/tasks/<task_id>")
@login_required
def submit_task(task_id: str):
    """Submit the form; uploads are stored first so nothing is lost if the form is refused."""
    task = get_open_task(current_user, task_id)
    fields = form_fields(task.form_key)
    values = form_values(fields)
    upload_errors = _store_uploads(task, fields, values)
    task = get_open_task(current_user, task_id)
    if upload_errors:
        return _render(task, values, upload_errors, 422)
    title, case_id = task.title, task.case_id
    try:
        complete_task(current_user, task_id, values, expected_version=int(request.form["case_version"])
                      if request.form.get("case_version", "").isdigit() else None)
        discard_drafts(task_id)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        task = get_open_task(current_user, task_id)
        return _render(task, values, err.errors, 422)
    flash(f"“{title}”已办理")
    if can_see_case(current_user, db.session.get(Case, case_id)):
        return redirect(url_for("web.case_page", case_id=case_id))
    return redirect(url_for("web.inbox_page"))  # e.g. an expert, who sees only the tasks given to them


def _store_uploads(task, fields: list[dict], values: dict) -> dict:
    """Store the files chosen in the form's document fields first (each committed), so that a refused form
    or an Excel import loses none; their ids go into `values`. Returns upload errors by field."""
    errors: dict = {}
    for f in fields:
        upload = request.files.get(f"file_{f['name']}")
        if f["widget"] == "document" and upload and upload.filename:
            try:
                doc = upload_document(current_user, task.case, filename=upload.filename, content=upload.read(),
                                      kind=f["name"])
                db.session.commit()
                values[f["name"]] = doc.id
            except InvalidInput as err:
                db.session.rollback()
                errors[f["name"]] = err.errors.get("file", [err.message])
    return errors


@web.post("/tasks/<task_id>/draft")
@login_required
def save_task_draft(task_id: str):
    """暂存: keep what is typed (and the files chosen) without submitting; only I see it."""
    task = get_open_task(current_user, task_id)
    if not can_complete(current_user, task):
        from workflows.errors import NotAllowed
        raise NotAllowed("只有办理人可以暂存该任务")
    fields = form_fields(task.form_key)
    values = form_values(fields)
    upload_errors = _store_uploads(task, fields, values)
    save_draft(current_user, get_open_task(current_user, task_id), values)
    db.session.commit()
    if upload_errors:
        return _render(get_open_task(current_user, task_id), values, upload_errors, 422)
    flash("已暂存，下次打开该任务时自动恢复")
    return redirect(url_for("web.task_page", task_id=task_id))


@web.post("/tasks/<task_id>/claim")
@login_required
@commits
def claim(task_id: str):
    """Claim a task from the unit's list."""
    claim_task(current_user, task_id)
    flash("已认领")
    return redirect(url_for("web.task_page", task_id=task_id))


@web.post("/tasks/<task_id>/unclaim")
@login_required
@commits
def unclaim(task_id: str):
    """Put a task back into the unit's list."""
    unclaim_task(current_user, task_id)
    flash("已退回待认领")
    return redirect(url_for("web.inbox_page"))


@web.get("/annex/<annex>.xlsx")
@login_required
def annex_template(annex: str):
    """The Excel template of an annex table (附件2/附件3), with the paper form's columns."""
    import io

    from flask import send_file

    from rules.annex_tables import ANNEXES, template_xlsx
    if annex not in ANNEXES:
        from workflows.errors import NotFound
        raise NotFound("没有这个模板")
    return send_file(io.BytesIO(template_xlsx(annex)), as_attachment=True,
                     download_name=f"{ANNEXES[annex]['title']}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@web.post("/tasks/<task_id>/import/<field>")
@login_required
def import_annex(task_id: str, field: str):
    """Fill an annex field from an uploaded .xlsx; row errors are shown and nothing from a bad file is taken."""
    from rules.annex_tables import import_xlsx
    task = get_open_task(current_user, task_id)
    fields = {f["name"]: f for f in form_fields(task.form_key)}
    values = form_values(list(fields.values()))
    if field not in fields or fields[field]["widget"] not in ("annex2", "annex3"):
        raise InvalidInput("该项不能导入", {field: ["该项不能导入"]})
    upload_errors = _store_uploads(task, list(fields.values()), values)
    task = get_open_task(current_user, task_id)
    upload = request.files.get(f"import_{field}")
    text, errors = import_xlsx(fields[field]["widget"], upload.read() if upload else b"")
    if errors or upload_errors:
        return _render(task, values, dict(upload_errors, **({field: errors} if errors else {})), 422)
    values[field] = text
    flash(f"已导入 {len(text.splitlines())} 行，请核对后提交")
    return _render(task, values)
