"""Officials' and agencies' pages: login, inbox, task forms, cases."""
from flask import Blueprint

web = Blueprint("web", __name__)

from . import auth, cases, inbox, processes, tasks  # noqa: F401
