"""Jinja filters: dates in Asia/Shanghai, zh-CN formats, role and status names."""
from datetime import date, datetime

from flask import Flask

from models import ROLES
from workflows.clock import SHANGHAI, now

STATUS = {"running": "办理中", "completed": "已办结", "error": "出错", "cancelled": "已撤销"}
OUTCOMES = {"approved": "已登记建档", "rejected": "不予登记", "withdrawn": "视为撤回"}
OUTCOMES.update({"confirmed": "确认多机构从业", "cleared": "核实不属于多机构从业", "completed": "已报备并上传成果",
                 "filed_late": "逾期报备", "delivered_late": "成果逾期上传"})  # staff_conflict, contract_filing


def fmt_datetime(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def fmt_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return value.strftime("%Y-%m-%d")


def deadline_end(value) -> str:
    """A due time (24:00 of the last day) shown as that last day's date."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(SHANGHAI)
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
        return field_labels(self.process_key).get(key, default)

    def for_process(self, process_key: str) -> "_Labels":
        return _Labels(process_key)


def init_filters(app: Flask) -> None:
    app.context_processor(lambda: {"labels": _Labels()})
    app.jinja_env.filters.update(dt=fmt_datetime, d=fmt_date, deadline=deadline_end, overdue_days=overdue_days,
                                 role_name=lambda r: ROLES.get(r, r), status_name=lambda s: STATUS.get(s, s),
                                 outcome_name=lambda s: OUTCOMES.get(s, s or ""))
