"""The submission a task decides on (an objection, a 陈述申辩, a document to be served), shown at the top of the task."""
from types import SimpleNamespace

from flask import current_app

from views.forms import case_data
from workflows.engine import get_task, load_workflow
from workflows.forms import form_for
from workflows.privacy import document_hidden


def submission_panels(task, viewer) -> list[dict]:
    """Read-only panels from the form's `submission` hook; files the viewer may not open are left out."""
    spec = form_for(task.form_key)
    if not getattr(spec, "submission", None):
        return []
    wf = load_workflow(task.case.workflow_json, task.case.process_version)
    spiff_task = get_task(wf, task.id)
    data = spiff_task.data if spiff_task is not None else case_data(task.case)
    ctx = SimpleNamespace(settings=current_app.config, case=task.case, viewer=viewer)
    panels = spec.submission(ctx, data) or []
    for panel in panels:
        panel["documents"] = [d for d in panel.get("documents", []) if d is not None and not document_hidden(viewer, d)]
    return panels
