"""Officials' and agencies' pages: login, inbox, task forms, cases."""
from flask import Blueprint

web = Blueprint("web", __name__)

from . import (  # noqa: F401
    admin,
    agencies,
    audit,
    auth,
    cases,
    contracts,
    grading,
    grading_publish,
    inbox,
    notifications,
    printing,
    processes,
    reports,
    signup,
    spot_checks,
    staff,
    supervision,
    tasks,
    users,
)
