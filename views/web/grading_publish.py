"""Before the final list is published: the official sees exactly the list the public page will show."""
from flask import render_template
from flask_login import current_user, login_required

from models import GradingRound, db
from workflows.errors import NotAllowed, NotFound
from workflows.grading import entries, final_list, scheme_notes

from . import web


@web.get("/grading/rounds/<int:round_id>/publish")
@login_required
def grading_publish_confirm(round_id: int):
    """The final list as it will be published, the agencies still pending, and the confirmation to publish."""
    if current_user.role != "city_official":
        raise NotAllowed("只有市级监管人员可以公布最终名单")
    rnd = db.session.get(GradingRound, round_id)
    if rnd is None:
        raise NotFound("评定轮次不存在")
    pending = [e for e in entries(round_id) if e.phase not in ("final", "waived")]
    return render_template("grading/publish_confirm.html", rnd=rnd, listed=final_list(round_id), pending=pending,
                           notes=scheme_notes(rnd.scheme))
