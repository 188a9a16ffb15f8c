"""督办 page: every unit's queue (counts, oldest, overdue), the overdue tasks with 催办 and 转办."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from models import Case, OpenTask, User, db
from views.tx import commits
from workflows import clock
from workflows.supervision import can_supervise, queues, remind_task
from workflows.tasks import reassign_task

from . import web


@web.get("/supervision")
@login_required
def supervision_page():
    """Queues per unit and the overdue tasks, with 催办 and 转办."""
    rows = queues(current_user)
    q = (select(OpenTask, Case.title, Case.number, User.display_name)
         .join(Case, Case.id == OpenTask.case_id).outerjoin(User, User.id == OpenTask.assignee_id)
         .where(OpenTask.due_at < clock.now(), OpenTask.role != "agency").order_by(OpenTask.due_at).limit(200))
    if current_user.role == "county_official":
        q = q.where(OpenTask.unit_code == current_user.unit_code)
    overdue = db.session.execute(q).all()
    people = {}
    for u in db.session.execute(select(User).where(User.active, User.role.in_(
            ("county_official", "city_official", "leader"))).order_by(User.display_name)).scalars():
        people.setdefault((u.role, u.unit_code), []).append(u)
    return render_template("supervision.html", rows=rows, overdue=overdue, people=people,
                           may_reassign=current_user.role in ("city_official", "leader"))


@web.post("/supervision/tasks/<task_id>/remind")
@login_required
@commits
def remind(task_id: str):
    """催办 from the page."""
    if not can_supervise(current_user):
        from workflows.errors import NotAllowed
        raise NotAllowed("只有监管人员可以催办")
    remind_task(current_user, task_id, request.form.get("note", ""))
    flash("已催办")
    return redirect(url_for("web.supervision_page"))


@web.post("/supervision/tasks/<task_id>/reassign")
@login_required
@commits
def reassign(task_id: str):
    """转办 from the page (city officials and leaders)."""
    raw = request.form.get("user_id", "")
    reassign_task(current_user, task_id, int(raw) if raw.isdigit() else 0)
    flash("已转办")
    return redirect(url_for("web.supervision_page"))
