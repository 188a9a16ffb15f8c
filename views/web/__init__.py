"""Officials' and agencies' pages: login, inbox, task forms, cases."""
from flask import Blueprint

web = Blueprint("web", __name__)

from . import (  # noqa: F401
    admin,
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
    staff,
    supervision,
    tasks,
    users,
)
