"""The inbox: my tasks, unclaimed tasks of my role and unit, filters, counts per process."""
from flask import render_template, request
from flask_login import current_user, login_required

from handlers import PROCESSES
from workflows.queries import inbox, inbox_counts

from . import web


@web.get("/inbox")
@login_required
def inbox_page():
    """Tasks due first, overdue in red, unclaimed ones for my unit; counts per process in the side menu."""
    scope = request.args.get("scope", "all")
    if scope not in ("mine", "unclaimed", "all"):
        scope = "all"
    process = request.args.get("process") or None
    overdue = request.args.get("overdue") == "1"
    rows = inbox(current_user, scope=scope, process=process, overdue=overdue)
    return render_template("inbox.html", rows=rows, scope=scope, process=process, overdue=overdue,
                           counts=inbox_counts(current_user), processes=PROCESSES)
