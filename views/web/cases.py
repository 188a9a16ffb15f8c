"""Case pages: my cases, one case with its timeline, starting a case, document download."""
import io
import json
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from handlers import PROCESSES
from models import CASE_STATUSES, Case, Document, db
from views.case_table import workbook
from views.downloads import document_response
from views.forms import case_data, form_fields, form_values, prefill_for
from views.tx import commits
from workflows.access import can_complete
from workflows.cases import can_withdraw, start_case, withdraw_case
from workflows.documents import readable_document
from workflows.errors import EngineFailure, InvalidInput
from workflows.forms import form_for
from workflows.queries import case_documents, case_history, case_open_tasks, visible_case
from workflows.runtime import record_engine_failure
from workflows.saved_filters import list_filters
from workflows.tasks import complete_task
from workflows.worklists import CaseQuery, case_query, list_choices, open_tasks_of, unit_names
from workflows.worklists import case_page as case_list_page

from . import web

LIST_KEYS = ("process", "status", "unit", "from", "to", "q", "step", "holder", "per_page")


@web.get("/cases")
@login_required
def cases_page():
    """The cases I may see, filtered (process, status, unit, dates, text, current step, holder) and paged."""
    startable = [p for p in PROCESSES.values() if current_user.role in p.starter_roles and not p.start_via]
    errors, status = {}, 200
    try:
        f = case_query(request.args, CASE_STATUSES)
    except InvalidInput as err:
        errors, status, f = err.errors or {}, 422, CaseQuery()
    rows, total = case_list_page(current_user, f) if not errors else ([], 0)
    tasks = open_tasks_of([c.id for c, _ in rows])
    raw = {k: v for k, v in request.args.items() if k in LIST_KEYS and v}
    return render_template("cases.html", rows=rows, tasks=tasks, total=total, f=f, raw=raw, errors=errors,
                           pages=max(1, -(-total // f.per_page)), startable=startable, processes=PROCESSES,
                           statuses=CASE_STATUSES, choices=list_choices(current_user),
                           saved=list_filters(current_user, "cases"),
                           saved_query=urlencode(sorted(raw.items()))), status


@web.get("/cases/export.xlsx")
@login_required
def cases_export():
    """The filtered case list as Excel (the same filters as the page, every matching case up to 5,000)."""
    f = case_query(request.args, CASE_STATUSES)
    rows, _ = case_list_page(current_user, f, limit=5000)
    units = unit_names()
    data = workbook([(c, agency, units.get(c.unit_code)) for c, agency in rows], title="案件列表")
    return send_file(io.BytesIO(data), as_attachment=True, download_name="案件列表.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@web.get("/cases/new")
@login_required
def new_case_form():
    """The first form of a process, before any case exists: nothing is created until it is submitted."""
    return _start_page(request.args.get("process", ""), None, {})


@web.post("/cases/new")
@login_required
def new_case():
    """Start a case: with its first form filled in (created only if the form is accepted), or, for a first
    step with uploads (registration), at once so that files are kept while the form is completed."""
    process = request.form.get("process", "")
    try:
        case = start_case(current_user, process)
        db.session.flush()
        mine = [t for t, _, _ in case_open_tasks(case.id) if can_complete(current_user, t)]
        if mine and not _has_uploads(mine[0].form_key) and not request.form.get("with_form"):
            db.session.rollback()  # nothing is created until the first form is submitted
            return redirect(url_for("web.new_case_form", process=process))
        if mine and request.form.get("with_form") and not _has_uploads(mine[0].form_key):
            task = mine[0]
            values = form_values(form_fields(task.form_key))
            complete_task(current_user, task.id, values)
            _title_by_agency(case)
            db.session.commit()
            flash(f"“{task.title}”已提交，案件已发起")
            return redirect(url_for("web.case_page", case_id=case.id))
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _start_page(process, form_values(_first_fields(process)), err.errors, 422)
    except EngineFailure as err:
        return _engine_failed(process, err)
    except Exception:
        db.session.rollback()
        raise
    if mine:
        return redirect(url_for("web.task_page", task_id=mine[0].id))
    flash("案件已发起")
    return redirect(url_for("web.case_page", case_id=case.id))


def _has_uploads(form_key: str) -> bool:
    return any(f["widget"] == "document" for f in form_fields(form_key))


def _first_fields(process: str) -> list[dict]:
    """The fields of the starter's first form (found by starting the case in a transaction rolled back)."""
    try:
        case = start_case(current_user, process)
        db.session.flush()
        mine = [t for t, _, _ in case_open_tasks(case.id) if can_complete(current_user, t)]
        return form_fields(mine[0].form_key) if mine else []
    finally:
        db.session.rollback()


def _title_by_agency(case: Case) -> None:
    """Name the case after the agency its first form chose (e.g. “某公司 警示约谈”)."""
    from models import Agency
    db.session.refresh(case)
    if case.agency_id and case.title == PROCESSES[case.process_key].title:
        agency = db.session.get(Agency, case.agency_id)
        case.title = f"{agency.name} {case.title}"


def _engine_failed(process: str, err: EngineFailure):
    """The start page again with the engine's reason (422); the failure is kept in the audit trail."""
    db.session.rollback()
    record_engine_failure(err.case_id, err.message, current_user)
    return render_template("start.html", info=PROCESSES[process], task=None, fields=[], values={},
                           errors={"process": [err.message]}), 422


def _start_page(process: str, values: dict | None, errors: dict, status: int = 200):
    """Render the starter's first form from a case started in a transaction that is always rolled back."""
    try:
        try:
            case = start_case(current_user, process)
        except EngineFailure as err:
            return _engine_failed(process, err)
        db.session.flush()
        mine = [t for t, _, _ in case_open_tasks(case.id) if can_complete(current_user, t)]
        if not mine or _has_uploads(mine[0].form_key):
            db.session.rollback()
            return render_template("start.html", info=PROCESSES[process], task=None, fields=[], values={},
                                   errors=errors), status
        task = mine[0]
        page = render_template("start.html", info=PROCESSES[process], task=task, form=form_for(task.form_key),
                               fields=form_fields(task.form_key),
                               values=values if values is not None else prefill_for(task),
                               errors=errors), status
    finally:
        db.session.rollback()
    return page


@web.get("/cases/<int:case_id>")
@login_required
def case_page(case_id: int):
    """A case: summary, open tasks, documents and the timeline of every event."""
    case = visible_case(current_user, case_id)
    events = [(e, json.loads(e.detail)) for e in case_history(case.id, current_user)]
    data = case_data(case)
    return render_template("case.html", case=case, tasks=case_open_tasks(case.id), documents=case_documents(case.id, current_user),
                           events=events, data=data, tables=case_tables(case, data),
                           can_withdraw=can_withdraw(current_user, case), linked=_linked(case))


def _linked(case) -> list[dict]:
    """The cases this one opened or was opened by, both ways, that the user may see (one query)."""
    from workflows.access import can_see_case
    from workflows.links import links_of
    links = links_of(case.id)
    ids = {i for link in links for i in (link.origin_case_id, link.target_case_id) if i and i != case.id}
    others = {c.id: c for c in db.session.execute(db.select(Case).where(Case.id.in_(ids))).scalars()} if ids else {}
    out = []
    for link in links:
        other_id = link.target_case_id if link.origin_case_id == case.id else link.origin_case_id
        other = others.get(other_id)
        if other is not None and can_see_case(current_user, other):
            out.append({"case": other, "direction": "由本案件发起" if link.origin_case_id == case.id else "发起本案件"})
    return out


def case_tables(case, data: dict) -> list[dict]:
    """Tables a process shows on its case page (ProcessInfo.extra["case_tables"], e.g. a grading's 评分明细)."""
    from types import SimpleNamespace

    from flask import current_app

    from handlers import PROCESSES
    info = PROCESSES.get(case.process_key)
    build = info.extra.get("case_tables") if info else None
    return build(SimpleNamespace(settings=current_app.config, case=case), data) if build else []


@web.get("/documents/<int:doc_id>")
@login_required
def download(doc_id: int):
    """Download a document of a case I may see."""
    doc = db.session.get(Document, doc_id)
    doc = readable_document(current_user, doc, db.session.get(Case, doc.case_id) if doc else None)
    return document_response(doc)


@web.post("/cases/<int:case_id>/withdraw")
@login_required
@commits
def withdraw(case_id: int):
    """作废: the starter or an official ends a running case with a reason (kept in the trail)."""
    withdraw_case(current_user, case_id, request.form.get("reason", ""))
    flash("案件已作废")
    return redirect(url_for("web.case_page", case_id=case_id))
