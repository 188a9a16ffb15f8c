"""The JSON API under /api, documented at /api/openapi.json."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")

from . import (  # noqa: F401
    audit,
    auth,
    cases,
    contracts,
    documents,
    inbox,
    notifications,
    openapi,
    processes,
    spot_checks,
    staff,
    supervision,
    tasks,
    units,
    users,
)
