"""The message centre: my notices with links to their tasks and cases; the unread badge on every page."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from views.tx import commits
from workflows.notify import mark_read, my_notifications, unread_count

from . import web


@web.app_context_processor
def _unread_badge() -> dict:
    """The number shown beside 消息 in the top bar (one indexed count per page)."""
    if current_user and current_user.is_authenticated:
        return {"unread_notices": unread_count(current_user.id)}
    return {"unread_notices": 0}


@web.get("/notifications")
@login_required
def notifications_page():
    """My notices, newest first."""
    return render_template("notifications.html", items=my_notifications(current_user.id, limit=200))


@web.post("/notifications/<int:notification_id>/open")
@login_required
@commits
def open_notification(notification_id: int):
    """Mark a notice read and go to its task (or its case)."""
    item = next((n for n in my_notifications(current_user.id, limit=1000) if n.id == notification_id), None)
    mark_read(current_user.id, notification_id)
    if item and item.task_id:
        return redirect(url_for("web.task_page", task_id=item.task_id))
    if item and item.case_id:
        return redirect(url_for("web.case_page", case_id=item.case_id))
    return redirect(url_for("web.notifications_page"))


@web.post("/notifications/read-all")
@login_required
@commits
def read_all_notifications():
    """Mark every notice read."""
    mark_read(current_user.id)
    flash("已全部标记为已读")
    return redirect(url_for("web.notifications_page"))
