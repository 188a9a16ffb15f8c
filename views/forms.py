"""One marshmallow schema drives the HTML form, the task's JSON Schema and the OpenAPI document."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from marshmallow import fields

from workflows.engine import get_task, load_workflow
from workflows.forms import form_for
from workflows.submissions import case_submissions, forms_by_task, latest_of

_plugin = MarshmallowPlugin()
APISpec("forms", "1", "3.0.3", plugins=[_plugin])


def form_schema(form_key: str):
    """The marshmallow schema instance of a registered form for this deployment."""
    return form_for(form_key).schema(current_app.config)


def form_json_schema(form_key: str) -> dict:
    """The form as JSON Schema, with Chinese labels as titles and the rule sources as descriptions."""
    schema = form_schema(form_key)
    out = _plugin.converter.schema2jsonschema(schema)
    for name, field in schema.fields.items():
        meta = field.metadata or {}
        prop = out.setdefault("properties", {}).setdefault(name, {})
        prop["title"] = meta.get("label", name)
        if meta.get("help") or meta.get("source"):
            prop["description"] = "；".join(x for x in (meta.get("help"), meta.get("source") and
                                                       f"依据：{meta['source']}") if x)
        if meta.get("widget"):
            prop["x-widget"] = meta["widget"]
        if meta.get("choices"):
            prop["x-choices"] = [{"value": v, "label": label} for v, label in meta["choices"]]
    return out


def form_fields(form_key: str) -> list[dict]:
    """Field descriptors for the HTML renderer, in declaration order."""
    schema = form_schema(form_key)
    out = []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        meta = dict(field.metadata or {})
        widget = meta.get("widget") or ("checkbox" if isinstance(field, fields.Boolean) else
                                        "number" if isinstance(field, fields.Number) else "text")
        out.append({"name": name, "label": meta.get("label", name), "widget": widget, "required": field.required,
                    "help": meta.get("help", ""), "source": meta.get("source", ""),
                    "choices": meta.get("choices") or [], "placeholder": meta.get("placeholder", "")})
    return out


def prefill_for(task, submissions: list[dict] | None = None) -> dict:
    """The values a form opens with: never another person's words (issue 9).

    Only the latest submission of a form this one declares it carries over (`FormSpec.carry_over`: its own
    role's earlier submission, e.g. the corrected application from the application), plus what the form's
    own `prefill` computes from platform data. A decision form therefore always opens empty; earlier
    decisions are shown read-only beside it (`earlier_decisions`).
    """
    spec = form_for(task.form_key)
    names = set(form_schema(task.form_key).fields)
    wf = load_workflow(task.case.workflow_json, task.case.process_version)
    values: dict = {}
    if spec.carry_over:
        subs = submissions if submissions is not None else task_submissions(task, wf)
        source = latest_of(subs, spec.carry_over)
        if source is not None:
            values = {k: v for k, v in source["data"].items() if k in names}
    if spec.prefill:
        from types import SimpleNamespace
        spiff_task = get_task(wf, task.id)
        data = spiff_task.data if spiff_task is not None else {}
        extra = spec.prefill(SimpleNamespace(settings=current_app.config, case=task.case), data) or {}
        values.update({k: v for k, v in extra.items()
                       if k in names and (spec.prefill_wins or values.get(k) in (None, "", []))})
    return values


def task_submissions(task, wf=None) -> list[dict]:
    """The case's submissions per task, form keys filled in from the case's own diagram."""
    wf = wf if wf is not None else load_workflow(task.case.workflow_json, task.case.process_version)
    return case_submissions(task.case_id, forms_by_task(wf))


def earlier_decisions(task, submissions: list[dict]) -> list[dict]:
    """Earlier submissions of this same form in the case (e.g. the first review before a correction),
    read-only blocks for the task page. Experts score independently and never see each other's sheets."""
    if task.role == "expert":
        return []
    fields = form_fields(task.form_key)
    from .filters import fmt_datetime
    return [{"title": f"此前的{s['title'] or form_for(task.form_key).title}（{s['by']}，{fmt_datetime(s['at'])}）",
             "fields": [dict(f, value=s["data"].get(f["name"])) for f in fields if f["name"] in s["data"]]}
            for s in submissions if s["form"] == task.form_key]


def tables_for(task) -> list[dict]:
    """The read-only tables a task shows beside its form (e.g. each expert's score per item)."""
    spec = form_for(task.form_key)
    if not spec.tables:
        return []
    from types import SimpleNamespace
    wf = load_workflow(task.case.workflow_json, task.case.process_version)
    spiff_task = get_task(wf, task.id)
    data = spiff_task.data if spiff_task is not None else case_data(task.case)
    return spec.tables(SimpleNamespace(settings=current_app.config, case=task.case), data) or []


def case_data(case) -> dict:
    """The case's current data (last completed task data, or the workflow data once done)."""
    wf = load_workflow(case.workflow_json, case.process_version)
    if wf.is_completed():
        return dict(wf.data)
    from SpiffWorkflow.util.task import TaskState
    tasks = wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
    return dict(tasks[0].data) if tasks else dict(wf.data)


def field_labels(process_key: str = "") -> dict[str, str]:
    """Chinese labels of every form field and document kind (the given process's own forms first)."""
    from flask import g

    from handlers import FORMS
    cache = g.setdefault("anfu_field_labels", {})
    if process_key not in cache:
        labels: dict[str, str] = {}
        for key in sorted(FORMS, key=lambda k: not k.startswith(process_key or "\0")):
            for name, field in form_schema(key).fields.items():
                labels.setdefault(name, (field.metadata or {}).get("label", name))
        for m in current_app.config["CITY_POLICY"].registration_materials:
            labels[m["kind"]] = m["title"]
        cache[process_key] = labels
    return cache[process_key]


def shown_values(form_key: str, data: dict, submissions: list[dict] | None = None) -> list[dict]:
    """The read-only summaries a task shows: each shown form's fields as its author last submitted them
    (or as a form carrying it over resubmitted them), the case data only for cases older than that record."""
    out = []
    for key in form_for(form_key).shows:
        carriers = [k for k, spec in _forms().items() if key in spec.carry_over] + [key]
        source = latest_of(submissions or [], carriers)
        values = source["data"] if source is not None else data
        out.append({"title": form_for(key).title,
                    "fields": [dict(f, value=values.get(f["name"])) for f in form_fields(key)]})
    return out


def _forms() -> dict:
    from handlers import FORMS
    return FORMS


def form_values(fields: list[dict]) -> dict:
    """The submitted HTML form's values for these fields (lists for checkboxes, ids for documents)."""
    from flask import request
    values: dict = {}
    for f in fields:
        name, widget = f["name"], f["widget"]
        if widget == "checkboxes":
            values[name] = request.form.getlist(name)
        elif widget == "checkbox":
            values[name] = request.form.get(name) in ("on", "true", "1", "y")
        elif widget == "document":
            raw = request.form.get(name, "")
            values[name] = int(raw) if raw.isdigit() else None
        else:
            raw = request.form.get(name, "")
            values[name] = raw if raw != "" else None
    return {k: v for k, v in values.items() if v is not None}
