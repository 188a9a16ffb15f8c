"""Public pages (no login): the directory of registered agencies."""
from flask import Blueprint, current_app, render_template, request
from sqlalchemy import or_, select

from models import Agency, Listing, Unit, db
from workflows.sanctions import active_listing, banned_principals, listing_period, public_listings

public = Blueprint("public", __name__, url_prefix="/public")


@public.get("/directory")
def directory():
    """The public directory of registered agencies (公开名录), searchable by name or credit code."""
    q = request.args.get("q", "").strip()
    listed = select(Listing.agency_id).where(Listing.status == "active")
    query = (select(Agency).where(Agency.status == "registered", Agency.id.not_in(listed))
             .order_by(Agency.registered_on.desc(), Agency.id))
    if q:
        query = query.where(or_(Agency.name.contains(q), Agency.credit_code == q.upper()))
    agencies = db.session.execute(query).scalars().all()
    units = {u.code: u.name for u in db.session.execute(select(Unit)).scalars()}
    grades = {a.id: latest_grade(a.id) for a in agencies}
    return render_template("public/directory.html", agencies=agencies, q=q, units=units, grades=grades)


@public.get("/directory/<int:agency_id>")
def directory_entry(agency_id: int):
    """One agency's public entry."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.status != "registered":
        from workflows.errors import NotFound
        raise NotFound("名录中没有该机构")
    listing = active_listing(agency_id=agency.id)
    grading = latest_grade(agency.id)
    banned = banned_principals().get(agency.legal_representative)
    if banned is not None and banned.agency_id == agency.id:
        banned = None
    barred = current_app.config["CITY_POLICY"].barred_services_on_poor_grade if grading and grading.grade == "差" else ()
    from workflows.info_changes import CHANGE_FIELDS, change_history
    return render_template("public/agency.html", agency=agency, listing=listing, banned=banned,
                           period=listing_period, grading=grading, barred=barred,
                           grading_failed=latest_failed_staff(agency.id),
                           history=change_history(agency.id), change_labels=CHANGE_FIELDS)


def latest_failed_staff(agency_id: int) -> list[str]:
    """Staff who failed the latest exam of the agency's grading (marked as not allowed to serve)."""
    from workflows.grading import failed_staff_by_agency
    return failed_staff_by_agency(agency_id).get(agency_id, [])


def latest_grade(agency_id: int):
    """The agency's latest final grade, if any (shown in the directory: 优秀, or 差 with its consequences)."""
    from models import GradingEntry
    return db.session.execute(select(GradingEntry).where(GradingEntry.agency_id == agency_id,
                                                         GradingEntry.phase == "final")
                              .order_by(GradingEntry.id.desc()).limit(1)).scalar_one_or_none()


@public.get("/blacklist")
def blacklist():
    """The public list of agencies in the 严重失信主体名单 (removed ones leave it the day they are removed)."""
    return render_template("public/blacklist.html", listings=public_listings(), period=listing_period)


@public.get("/bulletins")
def bulletins():
    """Published 通报 after warning interviews (武进 [WJ] 第二十四条)."""
    from models import Bulletin
    rows = db.session.execute(select(Bulletin).order_by(Bulletin.published_on.desc())).scalars().all()
    return render_template("public/bulletins.html", bulletins=rows)
