"""Officials' and agencies' pages: login, inbox, task forms, cases."""
from flask import Blueprint

web = Blueprint("web", __name__)

from . import admin, audit, auth, cases, contracts, grading, inbox, printing, processes, staff, tasks  # noqa: F401
