"""Jinja filters: dates in Asia/Shanghai, zh-CN formats, role and status names."""
from datetime import datetime

from flask import Flask

from workflows import labels as codes
from workflows.clock import now, to_local


def fmt_datetime(value) -> str:
    local = to_local(value)
    if local is None:
        return ""
    return local.strftime("%Y-%m-%d %H:%M") if isinstance(local, datetime) else local.strftime("%Y-%m-%d")


def fmt_date(value) -> str:
    local = to_local(value)
    if local is None:
        return ""
    return (local.date() if isinstance(local, datetime) else local).strftime("%Y-%m-%d")


def deadline_end(value) -> str:
    """A due time (24:00 of the last day) shown as that last day's date."""
    local = to_local(value)
    if local is None:
        return ""
    if not isinstance(local, datetime):
        return local.strftime("%Y-%m-%d")
    if (local.hour, local.minute) == (0, 0):
        from datetime import timedelta
        local = local - timedelta(days=1)
        return local.strftime("%Y-%m-%d") + " 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def overdue_days(value) -> int:
    """Whole days past a due time (0 if not overdue)."""
    if not value:
        return 0
    delta = now() - value
    return max(0, delta.days + (1 if delta.seconds else 0)) if delta.total_seconds() > 0 else 0


class _Labels:
    """Chinese field labels for templates, built on first use in a request (optionally for one process)."""

    def __init__(self, process_key: str = ""):
        self.process_key = process_key

    def get(self, key, default=None):
        from .forms import field_labels
        found = field_labels(self.process_key).get(key)
        return found if found is not None else codes.table("document_kind").get(key, default)

    def for_process(self, process_key: str) -> "_Labels":
        return _Labels(process_key)


def doc_kind(kind: str, process_key: str = "") -> str:
    """What a document is: a generated document's name, else the upload field's form and label in its process."""
    from handlers import FORMS

    from .forms import form_schema
    known = codes.table("document_kind").get(kind)
    if known:
        return known
    ordered = sorted(FORMS.values(), key=lambda spec: not spec.key.startswith(process_key or "\0"))
    for spec in ordered:
        field = form_schema(spec.key).fields.get(kind)
        if field is not None and (field.metadata or {}).get("widget") == "document":
            return f"{spec.title}：{field.metadata.get('label', kind)}" if not spec.title.endswith(
                field.metadata.get("label", kind)) else spec.title
    return _Labels(process_key).get(kind, kind)


def _choices(process_key: str) -> dict:
    """Field labels and choice labels of a process's forms, once per request."""
    from flask import g

    from workflows.case_story import field_labels
    cache = g.setdefault("anfu_field_choices", {})
    if process_key not in cache:
        cache[process_key] = field_labels(process_key)
    return cache[process_key]


def shown_value(value, name: str = "", process_key: str = "") -> str:
    """A submitted form value in words: choices and grounds by their titles, times local, 是/否."""
    if isinstance(value, list | tuple):
        return "、".join(shown_value(v, name, process_key) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if isinstance(value, dict):
        return "；".join(f"{_Labels(process_key).get(k, k)}：{shown_value(v, k, process_key)}" for k, v in value.items())
    text = str(value)
    chosen = _choices(process_key).get(name, {}).get("choices", {}).get(text) if name else None
    if chosen is not None:
        return codes.cite(chosen)
    if len(text) >= 16 and text[4:5] == "-" and text[10:11] in ("T", " ") and text[13:14] == ":":
        try:
            return fmt_datetime(text)
        except ValueError:
            return text
    return codes.cite(text)


def init_filters(app: Flask) -> None:
    app.context_processor(lambda: {"labels": _Labels()})
    app.jinja_env.filters.update(dt=fmt_datetime, d=fmt_date, deadline=deadline_end, overdue_days=overdue_days,
                                 role_name=lambda r: codes.label("role", r), status_name=lambda s: codes.label("status", s),
                                 outcome_name=lambda s: codes.label("outcome", s),
                                 action_name=lambda a: codes.label("action", a),
                                 decision_name=lambda v: codes.label("decision", v),
                                 ground_name=lambda v: codes.label("ground", v), cite=codes.cite, clause=codes.clause,
                                 doc_kind=doc_kind, shown=shown_value, label=codes.label,
                                 label_table=codes.table)
