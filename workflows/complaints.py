"""Complaints and reports from the public (投诉举报; [JC] 第二十条; [WJ] 第五条; [LY23] 第十八条).

A complaint opens a `complaint` case (市局分办 → 县区局调查 → 办结答复); the complainant follows it with the
受理编号. Name, contact and file stay with the bureau (workflows/privacy.py): the case is not the agency's
case, the workflow data never hold them, and the agency is told only the substance an official writes.
"""
import secrets

from flask import current_app
from sqlalchemy import func, select

from models import Agency, Complaint, db
from rules.complaint_policy import ComplaintPolicy, load_complaint_policy

from . import clock
from .documents import attach_public_document
from .errors import InvalidInput

STATUS_LABELS = {"received": "已受理，等待分办", "investigating": "正在调查核实", "closed": "已办结"}
FOUNDED = ("interview", "blacklist")
LIMITS = {"text": 4000, "name": 64, "contact": 64, "agency_named": 128}


def policy() -> ComplaintPolicy:
    """The deployment city's complaint policy."""
    return load_complaint_policy(current_app.config["CITY_POLICY"].key)


def registered_agencies() -> list[tuple[int, str]]:
    """Registered agencies (id, name) for the public page's choice."""
    rows = db.session.execute(select(Agency.id, Agency.name).where(Agency.status == "registered")
                              .order_by(Agency.name)).all()
    return [(i, n) for i, n in rows]


def _errors(form: dict, agency: Agency | None) -> dict:
    errors = {}
    if not form["text"]:
        errors["text"] = ["请写明投诉举报的具体内容"]
    if agency is None and not form["agency_named"]:
        errors["agency_id"] = ["请选择被投诉举报的机构，或填写机构名称"]
    for key, most in LIMITS.items():
        if len(form[key]) > most:
            errors.setdefault(key, []).append(f"不超过{most}字")
    return errors


def file_complaint(*, text: str, agency_id: int | None = None, agency_named: str = "", name: str = "",
                   contact: str = "", filename: str = "", content: bytes = b"") -> Complaint:
    """Anyone may complain, named or anonymous; opens the case for the 市局 to triage (flushes, never commits)."""
    form = {"text": (text or "").strip(), "agency_named": (agency_named or "").strip(),
            "name": (name or "").strip(), "contact": (contact or "").strip()}
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is not None and agency.status != "registered":
        agency = None
    errors = _errors(form, agency)
    if errors:
        raise InvalidInput("投诉举报内容有误", errors)
    named = agency.name if agency else form["agency_named"]
    # imported here: runtime imports the handlers, which import this module
    from .runtime import latest_version, start_workflow_case
    step = start_workflow_case(None, latest_version("complaint"), title=f"关于{named}的投诉举报",
                               variables={"agency_id": agency.id if agency else None, "agency_named": named})
    case = step.save()
    doc = attach_public_document(case.id, filename=filename, content=content, kind="complaint_evidence",
                                 actor_name=form["name"] or "公众（匿名）") if content else None
    complaint = Complaint(case_id=case.id, agency_id=agency.id if agency else None, agency_named=named,
                          text=form["text"], name=form["name"] or None, contact=form["contact"] or None,
                          document_id=doc.id if doc else None, status="received",
                          tracking_code=secrets.token_hex(5).upper(), created_at=clock.now())
    db.session.add(complaint)
    db.session.flush()
    return complaint


def complaint_by_code(code: str) -> Complaint | None:
    """The complaint with this 受理编号 (exact match), or None."""
    if not code or len(code) > 16:
        return None
    return db.session.execute(select(Complaint).where(Complaint.tracking_code == code)).scalar_one_or_none()


def complaint_of_case(case_id: int) -> Complaint | None:
    return db.session.execute(select(Complaint).where(Complaint.case_id == case_id)).scalar_one_or_none()


def founded_count(agency_id: int, since) -> int:
    """Complaints about the agency closed as founded (约谈 or 移送列入名单) since a moment."""
    return db.session.scalar(select(func.count(Complaint.id)).where(
        Complaint.agency_id == agency_id, Complaint.outcome.in_(FOUNDED), Complaint.replied_at >= since)) or 0
