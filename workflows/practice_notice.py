"""执业告知 ([JC] 第四条; 1号令 属地告知): before on-site service in another county, the agency tells that county.

A notice, not an application: nobody approves it, so it is a record with an audit event rather than a process
(the location county sees it in its list and may inspect). Refused when the agency is barred from the service
(a 差 grade bars the services in `barred_services_on_poor_grade`, [LY22] 六(三)).
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from models import Agency, PracticeNotice, Unit, db

from . import audit
from .calendar_service import platform_calendar
from .clock import SHANGHAI
from .errors import InvalidInput, NotAllowed
from .info_changes import changes_setting
from .labels import cite


def barred_services(agency_id: int) -> list[dict]:
    """The services the agency may not offer because its latest final grade is 差 ([LY22] 六(三))."""
    from views.public import latest_grade
    grading = latest_grade(agency_id)
    if grading is None or grading.grade != "差":
        return []
    return list(current_app.config["CITY_POLICY"].barred_services_on_poor_grade)


def service_types() -> list[str]:
    """The service types a notice may name: the registration categories and the city's barred services."""
    from handlers.registration import SERVICE_CATEGORIES
    extra = [s["title"] for s in current_app.config["CITY_POLICY"].barred_services_on_poor_grade]
    return list(dict.fromkeys(SERVICE_CATEGORIES + extra))


def file_practice_notice(user, data: dict, now: datetime) -> PracticeNotice:
    """Record the agency's notice to the project location county (flushes); refused when barred."""
    if user.role != "agency" or user.agency_id is None:
        raise NotAllowed("只有已登记建档的机构可以报送执业告知")
    agency = db.session.get(Agency, user.agency_id)
    if agency.status != "registered":
        raise NotAllowed("机构账号已注销，不能报送执业告知")
    county = db.session.get(Unit, data["location_county"])
    errors = {}
    if county is None or county.level != "county":
        errors["location_county"] = ["请选择项目所在县（市、区）"]
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = ["结束日期不能早于开始日期"]
    barred = next((s for s in barred_services(agency.id) if s["title"] == data["service_type"]), None)
    if barred is not None:
        errors["service_type"] = [f"机构最近一次分类等级评定为“差”，依据{cite(barred['source'])}不得从事{barred['title']}"]
    if errors:
        raise InvalidInput("执业告知填写有误", errors)
    today = now.astimezone(SHANGHAI).date()
    before = changes_setting("practice_notice", "working_days_before")
    late = platform_calendar().working_days_between(today, data["starts_on"]) < before
    notice = PracticeNotice(agency_id=agency.id, location_county=county.code, client_name=data["client_name"],
                            project_address=data["project_address"], service_type=data["service_type"],
                            starts_on=data["starts_on"], ends_on=data["ends_on"], filed_at=now,
                            filed_by_id=user.id, filed_late=late)
    db.session.add(notice)
    db.session.flush()
    audit.record("practice_notice_filed", actor=user, detail={
        "notice_id": notice.id, "agency_id": agency.id, "location_county": county.code,
        "service_type": notice.service_type, "starts_on": notice.starts_on, "late": late})
    return notice


def notices_for(user) -> list[PracticeNotice]:
    """What the user sees: a county its own county's notices, an agency its own, city-level everything."""
    q = select(PracticeNotice).order_by(PracticeNotice.starts_on.desc(), PracticeNotice.id.desc())
    if user.role == "agency":
        q = q.where(PracticeNotice.agency_id == user.agency_id)
    elif user.role == "county_official":
        q = q.where(PracticeNotice.location_county == user.unit_code)
    elif user.role not in ("city_official", "leader", "auditor", "admin"):
        raise NotAllowed("您无权查看执业告知")
    return list(db.session.execute(q).scalars())
