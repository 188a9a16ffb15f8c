"""Who may see and act on what: one predicate per action, used by the verbs and the templates alike.

Case files (data, documents, history) are read by the officials who supervise and by auditors (read-only).
A process owner maintains diagrams and sees aggregate counts; an administrator maintains accounts and the
calendar: neither reads case files. An expert sees only the scoring tasks assigned to them, never a peer's
(independent scoring).
"""
from sqlalchemy import false, or_, true

from models import Case, OpenTask

CITY_ROLES = {"city_official", "leader", "expert"}
READ_ALL_ROLES = {"auditor", "city_official", "leader"}
PERSONAL_TASK_ROLES = {"expert"}  # roles whose assigned tasks are theirs alone, not their peers'


def can_see_case(user, case) -> bool:
    """Agency users see their own agency's cases; county officials their county's; city officials and auditors all."""
    if user is None:
        return False
    if user.role in READ_ALL_ROLES:
        return True
    if user.role == "agency":
        return (case.agency_id is not None and case.agency_id == user.agency_id) or case.started_by_id == user.id
    if user.role == "county_official":
        return case.unit_code == user.unit_code
    return False


def case_filter(user):
    """A SQL condition restricting a Case query to what `user` may see."""
    if user.role in READ_ALL_ROLES:
        return true()
    if user.role == "agency":
        conds = [Case.started_by_id == user.id]
        if user.agency_id is not None:
            conds.append(Case.agency_id == user.agency_id)
        return or_(*conds)
    if user.role == "county_official":
        return Case.unit_code == user.unit_code
    return false()


def task_matches(user, task: OpenTask) -> bool:
    """True when the task belongs to the user's role and unit (or agency); a peer's personal task does not."""
    if user is None or user.role != task.role:
        return False
    if task.assignee_id is not None and task.assignee_id == user.id:
        return True
    if user.role in PERSONAL_TASK_ROLES and task.assignee_id is not None:
        return False
    if user.role == "agency":
        return task.agency_id is not None and task.agency_id == user.agency_id
    return task.unit_code is None or task.unit_code == user.unit_code


def can_hold(user, task: OpenTask) -> bool:
    """Whether `user` could be the task's assignee: same role, and the task's own agency or unit (转办 target)."""
    if user is None or not user.active or user.role != task.role:
        return False
    if task.role == "agency":
        return task.agency_id is not None and user.agency_id == task.agency_id
    return task.unit_code is None or task.unit_code == user.unit_code


def can_claim(user, task: OpenTask) -> bool:
    """Claimable: the task is for the user's role and unit and nobody holds it."""
    return task_matches(user, task) and task.assignee_id is None


def can_complete(user, task: OpenTask) -> bool:
    """Completable: the task is for the user and is unclaimed or claimed by the user."""
    return task_matches(user, task) and task.assignee_id in (None, user.id)


def inbox_filter(user):
    """SQL condition for the tasks a user's inbox shows (mine or unclaimed for my role and unit)."""
    own = OpenTask.assignee_id == user.id
    if user.role == "agency":
        if user.agency_id is None:
            return own
        return or_(own, (OpenTask.role == "agency") & (OpenTask.agency_id == user.agency_id))
    mine_to_take = (OpenTask.role == user.role) & ((OpenTask.unit_code == user.unit_code)
                                                  | OpenTask.unit_code.is_(None))
    if user.role in PERSONAL_TASK_ROLES:
        mine_to_take = mine_to_take & OpenTask.assignee_id.is_(None)
    return or_(own, mine_to_take)
