"""Who may see and act on what: one predicate per action, used by the verbs and the templates alike."""
from sqlalchemy import or_

from models import Case, OpenTask

CITY_ROLES = {"city_official", "leader", "expert"}
READ_ALL_ROLES = {"auditor", "admin", "city_official", "leader"}


def can_see_case(user, case) -> bool:
    """Agency users see their own agency's cases; county officials their county's; city roles and auditors all."""
    if user is None:
        return False
    if user.role in READ_ALL_ROLES:
        return True
    if user.role == "agency":
        return (case.agency_id is not None and case.agency_id == user.agency_id) or case.started_by_id == user.id
    if user.role == "county_official":
        return case.unit_code == user.unit_code
    if user.role == "expert":
        return False
    return user.role == "process_owner"


def case_filter(user):
    """A SQL condition restricting a Case query to what `user` may see."""
    if user.role in READ_ALL_ROLES or user.role == "process_owner":
        return True
    if user.role == "agency":
        conds = [Case.started_by_id == user.id]
        if user.agency_id is not None:
            conds.append(Case.agency_id == user.agency_id)
        return or_(*conds)
    if user.role == "county_official":
        return Case.unit_code == user.unit_code
    return False


def task_matches(user, task: OpenTask) -> bool:
    """True when the task belongs to the user's role and unit (or agency)."""
    if user is None or user.role != task.role:
        return False
    if task.assignee_id is not None and task.assignee_id == user.id:
        return True
    if user.role == "agency":
        return task.agency_id is not None and task.agency_id == user.agency_id
    return task.unit_code is None or task.unit_code == user.unit_code


def can_claim(user, task: OpenTask) -> bool:
    """Claimable: the task is for the user's role and unit and nobody holds it."""
    return task_matches(user, task) and task.assignee_id is None


def can_complete(user, task: OpenTask) -> bool:
    """Completable: the task is for the user and is unclaimed or claimed by the user."""
    return task_matches(user, task) and task.assignee_id in (None, user.id)


def inbox_filter(user):
    """SQL condition for the tasks a user's inbox shows (mine or unclaimed for my role and unit)."""
    if user.role == "agency":
        own = OpenTask.assignee_id == user.id
        if user.agency_id is None:
            return own
        return or_(own, (OpenTask.role == "agency") & (OpenTask.agency_id == user.agency_id))
    return or_(OpenTask.assignee_id == user.id,
               (OpenTask.role == user.role) & ((OpenTask.unit_code == user.unit_code)
                                                | OpenTask.unit_code.is_(None)))
