"""Public pages (no login): the directory of registered agencies."""
from flask import Blueprint, render_template, request
from sqlalchemy import or_, select

from models import Agency, Unit, db

public = Blueprint("public", __name__, url_prefix="/public")


@public.get("/directory")
def directory():
    """The public directory of registered agencies (公开名录), searchable by name or credit code."""
    q = request.args.get("q", "").strip()
    query = select(Agency).where(Agency.status == "registered").order_by(Agency.registered_on.desc(), Agency.id)
    if q:
        query = query.where(or_(Agency.name.contains(q), Agency.credit_code == q.upper()))
    agencies = db.session.execute(query).scalars().all()
    units = {u.code: u.name for u in db.session.execute(select(Unit)).scalars()}
    return render_template("public/directory.html", agencies=agencies, q=q, units=units)


@public.get("/directory/<int:agency_id>")
def directory_entry(agency_id: int):
    """One agency's public entry."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.status != "registered":
        from workflows.errors import NotFound
        raise NotFound("名录中没有该机构")
    return render_template("public/agency.html", agency=agency)
