"""The JSON API under /api, documented at /api/openapi.json."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")

from . import audit, auth, cases, documents, notifications, openapi, processes, supervision, tasks, units  # noqa: F401
