"""Officials' and agencies' pages: login, inbox, task forms, cases."""
from flask import Blueprint

web = Blueprint("web", __name__)

from . import admin, audit, auth, cases, grading, inbox, printing, processes, reports, tasks  # noqa: F401
