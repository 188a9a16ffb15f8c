"""Verbs on agencies' staff rosters (人员库): add, edit, leave, import, the 武进 exam gate, and what a roster shows.

[JC] 第二条: 从业人员 = employed and paying social insurance here continuously for ≥ 3 months (a setting).
[JC] 第十四条(八); [WJ] 第十九条(七); [LY23] 第十四条10: nobody may work for two agencies at once; a person on
two active rosters is flagged and a county official reviews it (process `staff_conflict`), or refused (setting).
[WJ] 第十六条: staff serve only after passing the district's 业务考核; officials record the pass date.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from handlers.staff_roster import load_staff
from models import Agency, StaffCertificate, StaffMember, db
from rules.id_number import masked
from rules.supervision_policy import city_supervision

from . import audit, clock, links
from .errors import Conflict, InvalidInput, NotAllowed, NotFound

OFFICIAL_ROLES = {"county_official", "city_official", "leader", "auditor", "admin"}


def staff_settings():
    """The deployment city's roster settings (policies/<city>/supervision.yaml)."""
    return city_supervision(current_app.config).staff


def can_view_roster(user, agency: Agency) -> bool:
    """The agency's own users; officials of its county; city-level officials, auditors, administrators."""
    if user is None:
        return False
    if user.role == "agency":
        return user.agency_id == agency.id
    if user.role == "county_official":
        return user.unit_code == agency.county_code
    return user.role in OFFICIAL_ROLES


def can_edit_roster(user, agency: Agency) -> bool:
    """Only the agency keeps its own roster."""
    return user is not None and user.role == "agency" and user.agency_id == agency.id


def can_set_exam(user, agency: Agency) -> bool:
    """County officials of the agency's county and city officials record exam results ([WJ] 第十六条)."""
    return user is not None and user.role in ("county_official", "city_official") and can_view_roster(user, agency)


def visible_agency(user, agency_id: int) -> Agency:
    """The agency, if the user may see its roster."""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("机构不存在")
    if not can_view_roster(user, agency):
        raise NotAllowed("您无权查看该机构的人员库")
    return agency


def insured_months(since: date | None, today: date) -> int:
    """Whole months of continuous social insurance from `since` to `today` (0 when not given)."""
    if since is None or since > today:
        return 0
    return (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)


@dataclass
class RosterRow:
    """A person as the roster shows them, with the flags the rules give."""

    member: StaffMember
    months: int
    counts: bool
    may_serve: bool
    flags: list[str] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)
    other_agencies: list[str] = field(default_factory=list)


def _other_rosters(id_number: str, agency_id: int) -> list[StaffMember]:
    return list(db.session.execute(select(StaffMember).where(
        StaffMember.id_number == id_number, StaffMember.agency_id != agency_id,
        StaffMember.status == "active")).scalars())


def certificate_state(cert: StaffCertificate, today: date, warning_days: int) -> str:
    """'expired', 'expiring' (within the warning days) or 'valid' (no expiry counts as valid)."""
    if cert.expires_on is None:
        return "valid"
    if cert.expires_on < today:
        return "expired"
    return "expiring" if cert.expires_on <= today + timedelta(days=warning_days) else "valid"


def roster_row(member: StaffMember, today: date) -> RosterRow:
    """Months insured, whether the person counts as 从业人员, may serve, and every flag with its source."""
    cfg = staff_settings()
    months = insured_months(member.insured_since, today)
    counts = member.status == "active" and months >= cfg.employee_min_insured_months
    row = RosterRow(member, months, counts, counts)
    if member.status == "left":
        row.may_serve = False
        row.flags.append(f"已于{member.left_on.isoformat()}离职")
    elif not counts:
        row.flags.append(f"本单位社保连续缴纳不满{cfg.employee_min_insured_months}个月，不计为从业人员（[JC] 第二条）")
    if member.status == "active" and cfg.exam_required_before_service and member.exam_passed_on is None:
        row.may_serve = False
        row.flags.append("尚未通过区应急管理部门组织的业务考核，不得开展服务活动（[WJ] 第十六条）")
    for cert in member.certificates:
        state = certificate_state(cert, today, cfg.certificate_warning_days)
        row.certificates.append({"kind": cert.kind, "title": cert.title, "number": cert.number,
                                 "expires_on": cert.expires_on, "state": state})
        if state == "expired":
            row.flags.append(f"{cert.kind}证书（{cert.number}）已于{cert.expires_on.isoformat()}过期")
        elif state == "expiring":
            row.flags.append(f"{cert.kind}证书（{cert.number}）将于{cert.expires_on.isoformat()}到期")
    if member.status == "active":
        others = _other_rosters(member.id_number, member.agency_id)
        row.other_agencies = [db.session.get(Agency, o.agency_id).name for o in others]
        if others:
            row.may_serve = False
            row.flags.append(f"同时在{'、'.join(row.other_agencies)}人员库中，不得同时在两个以上机构从业")
    return row


def roster(agency: Agency, today: date | None = None, *, include_left: bool = True) -> list[RosterRow]:
    """The agency's roster, active people first."""
    today = today or clock.today()
    query = select(StaffMember).where(StaffMember.agency_id == agency.id)
    if not include_left:
        query = query.where(StaffMember.status == "active")
    members = db.session.execute(query.order_by(StaffMember.status, StaffMember.name, StaffMember.id)).scalars()
    return [roster_row(m, today) for m in members]


def _check_two_rosters(data: dict, agency: Agency) -> list[StaffMember]:
    others = _other_rosters(data["id_number"], agency.id)
    if others and staff_settings().duplicate_roster == "refuse":
        names = "、".join(db.session.get(Agency, o.agency_id).name for o in others)
        raise InvalidInput("该人员已在其他机构人员库中", {"id_number": [
            f"该人员已在{names}人员库中，不得同时在两个以上机构从业；请原机构先办理离职"]})
    return others


def _ask_review(user, agency: Agency, member: StaffMember, others: list[StaffMember]) -> None:
    """Open a `staff_conflict` case for the county official of the agency that added the person."""
    names = [db.session.get(Agency, o.agency_id).name for o in others]
    link = links.request_case(
        "staff_conflict", agency_id=agency.id, ground="staff_on_two_rosters", origin_case_id=None, actor=user,
        title=f"{member.name} 同时在两个以上机构人员库中",
        variables={"staff_id": member.id, "staff_name": member.name, "id_number_masked": masked(member.id_number),
                   "other_agencies": names, "other_staff_ids": [o.id for o in others]})
    member.conflict_case_id = link.target_case_id
    for other in others:
        other.conflict_case_id = other.conflict_case_id or link.target_case_id


def _set_certificates(member: StaffMember, certs: list[dict]) -> None:
    member.certificates = [StaffCertificate(kind=c["kind"], title=c.get("title") or "", number=c["number"].strip(),
                                            expires_on=c.get("expires_on")) for c in certs]


def _audit_detail(member: StaffMember, **extra) -> dict:
    return {"agency_id": member.agency_id, "staff_id": member.id, "name": member.name,
            "id_number": masked(member.id_number), **extra}


def add_staff(user, agency_id: int, data: dict) -> StaffMember:
    """Put a person on the agency's roster (a person who left and comes back is re-activated)."""
    agency = visible_agency(user, agency_id)
    if not can_edit_roster(user, agency):
        raise NotAllowed("只有本机构可以维护人员库")
    member = db.session.execute(select(StaffMember).where(
        StaffMember.agency_id == agency.id, StaffMember.id_number == data["id_number"])).scalar_one_or_none()
    if member is not None and member.status == "active":
        raise InvalidInput("该人员已在本机构人员库中", {"id_number": ["该人员已在本机构人员库中，请修改原记录"]})
    others = _check_two_rosters(data, agency)
    now = clock.now()
    if member is None:
        member = StaffMember(agency_id=agency.id, id_number=data["id_number"], created_at=now)
        db.session.add(member)
    member.name, member.employed_on, member.insured_since = data["name"], data["employed_on"], data["insured_since"]
    member.status, member.left_on, member.updated_at = "active", None, now
    _set_certificates(member, data["certificates"])
    db.session.flush()
    audit.record("staff_added", actor=user, detail=_audit_detail(
        member, certificates=[c["number"] for c in data["certificates"]], on_other_rosters=len(others)))
    if others:
        _ask_review(user, agency, member, others)
    return member


def _own_member(user, staff_id: int) -> tuple[StaffMember, Agency]:
    member = db.session.get(StaffMember, staff_id)
    if member is None:
        raise NotFound("人员不存在")
    return member, visible_agency(user, member.agency_id)


def update_staff(user, staff_id: int, data: dict) -> StaffMember:
    """Correct a person's record (name, ID number, dates, certificates)."""
    member, agency = _own_member(user, staff_id)
    if not can_edit_roster(user, agency):
        raise NotAllowed("只有本机构可以维护人员库")
    if member.status != "active":
        raise Conflict("该人员已离职，不能修改")
    if data["id_number"] != member.id_number and db.session.execute(select(StaffMember.id).where(
            StaffMember.agency_id == agency.id, StaffMember.id_number == data["id_number"])).first():
        raise InvalidInput("该身份证号码已在本机构人员库中", {"id_number": ["该身份证号码已在本机构人员库中"]})
    others = _check_two_rosters(data, agency) if data["id_number"] != member.id_number else []
    before = {"name": member.name, "employed_on": member.employed_on, "insured_since": member.insured_since,
              "certificates": [(c.kind, c.number, c.expires_on) for c in member.certificates]}
    member.name, member.id_number = data["name"], data["id_number"]
    member.employed_on, member.insured_since, member.updated_at = data["employed_on"], data["insured_since"], clock.now()
    _set_certificates(member, data["certificates"])
    db.session.flush()
    after = {"name": member.name, "employed_on": member.employed_on, "insured_since": member.insured_since,
             "certificates": [(c.kind, c.number, c.expires_on) for c in member.certificates]}
    audit.record("staff_updated", actor=user, detail=_audit_detail(
        member, changed=sorted(k for k in before if before[k] != after[k])))
    if others:
        _ask_review(user, agency, member, others)
    return member


def leave_staff(user, staff_id: int, left_on: date) -> StaffMember:
    """Record that a person left the agency (离职); the record stays, marked as left."""
    member, agency = _own_member(user, staff_id)
    if not can_edit_roster(user, agency):
        raise NotAllowed("只有本机构可以维护人员库")
    if member.status != "active":
        raise Conflict("该人员已离职")
    if left_on < member.employed_on or left_on > clock.today():
        raise InvalidInput("离职日期不正确", {"left_on": ["离职日期应在入职日期之后且不晚于今天"]})
    member.status, member.left_on, member.updated_at = "left", left_on, clock.now()
    db.session.flush()
    audit.record("staff_left", actor=user, detail=_audit_detail(member, left_on=left_on))
    return member


def set_exam_result(user, staff_id: int, passed_on: date | None) -> StaffMember:
    """An official records (or clears) a person's 业务考核合格 date ([WJ] 第十六条)."""
    member, agency = _own_member(user, staff_id)
    if not can_set_exam(user, agency):
        raise NotAllowed("只有监管人员可以登记业务考核结果")
    if passed_on is not None and passed_on > clock.today():
        raise InvalidInput("考核合格日期不能晚于今天", {"passed_on": ["考核合格日期不能晚于今天"]})
    member.exam_passed_on, member.exam_set_by_id, member.updated_at = passed_on, user.id, clock.now()
    db.session.flush()
    audit.record("staff_exam_set", actor=user, detail=_audit_detail(member, passed_on=passed_on))
    return member


def import_staff(user, agency_id: int, rows: list[tuple[int, dict]]) -> dict:
    """Add or update every person of an imported sheet, all or nothing: any row error and nothing is saved."""
    agency = visible_agency(user, agency_id)
    if not can_edit_roster(user, agency):
        raise NotAllowed("只有本机构可以维护人员库")
    errors, parsed = [], []
    for line, body in rows:
        data, problems = load_staff(body)
        for name, messages in problems.items():
            errors.extend(f"第{line}行：{_LABELS.get(name, name)}：{m}" for m in _flat(messages))
        if data:
            parsed.append((line, data))
    if not errors and staff_settings().duplicate_roster == "refuse":
        for line, data in parsed:
            if _other_rosters(data["id_number"], agency.id):
                errors.append(f"第{line}行：身份证号码：该人员已在其他机构人员库中，不得同时在两个以上机构从业")
    if errors:
        raise InvalidInput("导入文件有误，未保存任何记录", {"file": errors})
    added = updated = 0
    for _, data in parsed:
        existing = db.session.execute(select(StaffMember).where(
            StaffMember.agency_id == agency.id, StaffMember.id_number == data["id_number"])).scalar_one_or_none()
        if existing is not None and existing.status == "active":
            update_staff(user, existing.id, data)
            updated += 1
        else:
            add_staff(user, agency.id, data)
            added += 1
    audit.record("staff_imported", actor=user, detail={"agency_id": agency.id, "added": added, "updated": updated})
    return {"added": added, "updated": updated}


_LABELS = {"name": "姓名", "id_number": "身份证号码", "employed_on": "入职日期", "insured_since": "社保起始日期",
           "certificates": "资格证书"}


def _flat(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    if isinstance(messages, list):
        return [m for v in messages for m in _flat(v)]
    return [str(messages)]


def expiring_certificates(user, today: date | None = None) -> list[tuple[Agency, StaffMember, StaffCertificate, str]]:
    """Certificates of active staff, in agencies the official may see, expired or within the warning days."""
    today = today or clock.today()
    horizon = today + timedelta(days=staff_settings().certificate_warning_days)
    found = db.session.execute(
        select(Agency, StaffMember, StaffCertificate).join(StaffMember, StaffMember.agency_id == Agency.id)
        .join(StaffCertificate, StaffCertificate.staff_id == StaffMember.id)
        .where(StaffMember.status == "active", StaffCertificate.expires_on.is_not(None),
               StaffCertificate.expires_on <= horizon).order_by(StaffCertificate.expires_on)).all()
    return [(a, m, c, "expired" if c.expires_on < today else "expiring") for a, m, c in found
            if can_view_roster(user, a)]
