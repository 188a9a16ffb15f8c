"""Case pages: my cases, one case with its timeline, starting a case, document download."""
import io
import json

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from handlers import PROCESSES
from models import Case, Document, db
from views.forms import case_data
from views.tx import commits
from workflows.access import can_complete
from workflows.cases import start_case
from workflows.documents import readable_document
from workflows.queries import case_documents, case_history, case_open_tasks, list_cases, visible_case

from . import web


@web.get("/cases")
@login_required
def cases_page():
    """The cases I may see, newest first, and the processes I may start."""
    startable = [p for p in PROCESSES.values() if current_user.role in p.starter_roles]
    return render_template("cases.html", cases=list_cases(current_user, process=request.args.get("process")),
                           startable=startable)


@web.post("/cases/new")
@login_required
@commits
def new_case():
    """Start a case and go straight to its first task if it is mine."""
    case = start_case(current_user, request.form.get("process", ""))
    db.session.flush()
    mine = [t for t, _, _ in case_open_tasks(case.id) if can_complete(current_user, t)]
    if mine:
        return redirect(url_for("web.task_page", task_id=mine[0].id))
    flash("案件已发起")
    return redirect(url_for("web.case_page", case_id=case.id))


@web.get("/cases/<int:case_id>")
@login_required
def case_page(case_id: int):
    """A case: summary, open tasks, documents and the timeline of every event."""
    case = visible_case(current_user, case_id)
    events = [(e, json.loads(e.detail)) for e in case_history(case.id, current_user)]
    data = case_data(case)
    return render_template("case.html", case=case, tasks=case_open_tasks(case.id), documents=case_documents(case.id, current_user),
                           events=events, data=data, tables=case_tables(case, data))


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
    return send_file(io.BytesIO(doc.content), mimetype=doc.content_type, as_attachment=True,
                     download_name=doc.filename)
