"""The JSON API under /api, documented at /api/openapi.json."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")

from . import audit, auth, cases, contracts, documents, openapi, processes, staff, tasks, units  # noqa: F401
