"""Information changes ([WJ] 第十四条): the city's settings (`policies/<city>/changes.yaml`), the period, history."""
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select

from models import Agency, InfoChange, db

from .calendar_service import platform_calendar, working_deadline

POLICY_ROOT = Path(__file__).resolve().parent.parent / "policies"
# The fields an agency may change, with their Chinese labels (the Agency columns they update).
CHANGE_FIELDS = {"name": "机构名称", "address": "办公地址", "legal_representative": "法定代表人",
                 "business_scope": "业务范围", "staff_count": "从业人员数量", "contact_person": "联系人",
                 "contact_phone": "联系电话"}


@lru_cache(maxsize=8)
def _load(key: str) -> dict:
    with open(POLICY_ROOT / key / "changes.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def changes_policy() -> dict:
    """The running city's changes.yaml (every value with its basis)."""
    return _load(current_app.config["CITY_POLICY"].key)


def changes_setting(section: str, name: str):
    """One value of changes.yaml, e.g. ('info_change', 'working_days')."""
    return changes_policy()[section][name]["value"]


def changes_basis(section: str, name: str) -> str:
    """The basis (source) of one setting, shown beside it."""
    return changes_policy()[section][name]["basis"]


def judge_filing(changed_on: date, filed_on: date) -> dict:
    """The filing period from the change date; late when filed after its last day, with the working days taken."""
    days = changes_setting("info_change", "working_days")
    deadline = working_deadline(changed_on, days)
    taken = platform_calendar().working_days_between(changed_on, filed_on)
    return {"due_on": deadline.ends_on, "note": deadline.explanation, "taken": taken,
            "late": filed_on > deadline.ends_on, "days": days}


def change_history(agency_id: int) -> list[InfoChange]:
    """The agency's approved changes, newest first (old values kept as history)."""
    return list(db.session.execute(select(InfoChange).where(InfoChange.agency_id == agency_id,
                                                            InfoChange.status == "approved")
                                   .order_by(InfoChange.decided_on.desc(), InfoChange.id.desc())).scalars())


def all_changes(agency_id: int) -> list[InfoChange]:
    """Every filed change of the agency (officials' page), newest first."""
    return list(db.session.execute(select(InfoChange).where(InfoChange.agency_id == agency_id)
                                   .order_by(InfoChange.id.desc())).scalars())


def apply_change(change: InfoChange) -> dict:
    """Update the Agency row with the change, returning the old values (flushes)."""
    agency = db.session.get(Agency, change.agency_id)
    old = {k: getattr(agency, k) for k in change.changes}
    for key, value in change.changes.items():
        setattr(agency, key, value)
    db.session.flush()
    return old
