"""Officials' and agencies' pages: login, inbox, task forms, cases."""
from flask import Blueprint

web = Blueprint("web", __name__)

from . import admin, audit, auth, cases, grading, grading_publish, inbox, printing, processes, tasks  # noqa: F401
