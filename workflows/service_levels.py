"""Deadlines on every official's task: a service-level period per (process, task) from policy data.

Platform defaults live in policies/common/task_periods.yaml, each row with its basis (“平台默认” where the
seeds are silent, domain.md §8); a city's own policies/<city>/task_periods.yaml overrides rows. A task whose
diagram sets a deadline (dueDateVariable) keeps that one.
"""
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from flask import current_app

from .calendar_service import working_deadline

POLICIES = Path(__file__).resolve().parent.parent / "policies"


@lru_cache(maxsize=8)
def _table(city: str) -> dict:
    out: dict = {}
    for path in (POLICIES / "common" / "task_periods.yaml", POLICIES / city / "task_periods.yaml"):
        if path.exists():
            for process, rows in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
                out.setdefault(process, {}).update(rows or {})
    return out


def period_for(process_key: str, bpmn_id: str) -> dict | None:
    """{working_days, basis} of an official's task, or None when no period is set."""
    return _table(current_app.config.get("ANFU_CITY", "jincheng")).get(process_key, {}).get(bpmn_id)


def service_deadline(process_key: str, bpmn_id: str, arrived: datetime) -> tuple[datetime | None, bool]:
    """(due_at, provisional) for a task arriving now, from its service-level period; (None, False) if none."""
    period = period_for(process_key, bpmn_id)
    if not period:
        return None, False
    deadline = working_deadline(arrived, int(period["working_days"]))
    return deadline.due_at, deadline.provisional
