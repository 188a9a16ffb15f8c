"""Service tasks of the blacklist process (see handlers/blacklist.py for its forms and sources)."""
from datetime import date, datetime, timedelta

from models import Agency, Listing, db
from rules.documents import render_docx
from workflows import audit
from workflows.calendar_service import deadline_json
from workflows.clock import SHANGHAI
from workflows.documents import add_generated_document
from workflows.errors import Conflict, InvalidInput
from workflows.labels import clause

from . import service
from .blacklist import _add_months
from .interview import DOCX


def _today(ctx) -> date:
    return ctx.now.astimezone(SHANGHAI).date()


def _agency(data) -> Agency:
    agency = db.session.get(Agency, data.get("agency_id"))
    if agency is None:
        raise InvalidInput("机构不存在", {"agency_id": ["机构不存在"]})
    return agency


def _grounds(ctx, data) -> list[dict]:
    policy = ctx.settings["CITY_POLICY"]
    return [{"code": g["code"], "text": g["text"], "citation": policy.cite(g["source"]), "ban_scope": g.get("ban_scope", "")}
            for g in policy.blacklist_grounds if g["code"] in data.get("grounds", [])]


def _measures(ctx) -> list[str]:
    bl = ctx.settings["CITY_POLICY"].blacklist
    out = [bl.get("restriction") or "依法实施联合惩戒"]
    out += [f"在{c}公开" for c in (bl.get("publication_channels") or ())]
    return out


@service("bind_listing")
def bind_listing(ctx, data: dict) -> dict:
    """Route the case to the agency, set the 陈述申辩 window and serve the 告知书 (.docx)."""
    agency = _agency(data)
    if db.session.query(Listing.id).filter(Listing.agency_id == agency.id, Listing.status == "active").first():
        raise Conflict("该机构已在名单中，不能重复列入")
    ctx.set_case(agency_id=agency.id, unit_code=agency.county_code, credit_code=agency.credit_code,
                 title=f"{agency.name} 列入严重失信主体名单")
    content, defence, number = notice_document(ctx, data)
    doc = add_generated_document(ctx.case.id, kind="blacklist_notice", filename=f"列入告知书-{agency.name}.docx",
                                 content=content, content_type=DOCX, actor=ctx.actor)
    return dict(defence, notice_number=number, notice_document_id=doc.id, served_on=_today(ctx).isoformat())


def notice_document(ctx, data: dict) -> tuple[bytes, dict, str]:
    """The 告知书 (.docx) as served at `ctx.now`: content, 陈述申辩 deadline, number (also the leader's preview)."""
    agency, policy = _agency(data), ctx.settings["CITY_POLICY"]
    window = int(policy.blacklist.defence_window_working_days)
    defence = deadline_json(ctx.now, window)
    number = f"{policy.name}应急告〔{_today(ctx).year}〕{ctx.case.id}号"
    content = render_docx("blacklist_notice", {
        "bureau_name": policy.bureau_name, "document_number": number,
        "agency": {"name": agency.name, "credit_code": agency.credit_code},
        "penalty": {"number": data["penalty_decision_no"], "decided_on": data["penalty_decided_on"]},
        "facts": clause(data["facts"]), "grounds": _grounds(ctx, data), "reasons": clause(data["reasons"]),
        "legal_basis": policy.cite(policy.blacklist.legal_basis), "measures": _measures(ctx), "defence": {"deadline": defence},
        "contact": {"name": data["contact_name"], "phone": data["contact_phone"], "address": policy.bureau_name},
        "issued_on": _today(ctx)})
    return content, defence, number


def _basis(policy, grounds: list[dict]) -> str:
    """The listing's legal basis for the public page: each document and article named once, by its full title."""
    parts = [p.strip() for p in policy.cite(policy.blacklist.legal_basis).split("；")] + [g["citation"] for g in grounds]
    return "；".join(dict.fromkeys(p for p in parts if p))


def _defence_outcome(data: dict) -> str:
    """当事人陈述申辩 and the review's finding as sentences (the user's own end punctuation not doubled)."""
    statement = clause(data.get("statement")) or "当事人在规定期限内未提出陈述申辩"
    return f"{statement}。经复核：{clause(data.get('opinion')) or '维持列入'}。"


@service("create_listing")
def create_listing(ctx, data: dict) -> dict:
    """List the agency: the 列入决定书 (.docx), the listing row the guard and the public page read."""
    agency, policy = _agency(data), ctx.settings["CITY_POLICY"]
    today = _today(ctx)
    years = policy.blacklist.period_years
    ends_on = None if years is None else _add_months(today, int(years) * 12) - timedelta(days=1)
    grounds = _grounds(ctx, data)
    listing = Listing(case_id=ctx.case.id, agency_id=agency.id, grounds=[g["code"] for g in grounds],
                      basis=_basis(policy, grounds),
                      penalty_decision_no=data["penalty_decision_no"],
                      penalty_decided_on=date.fromisoformat(str(data["penalty_decided_on"])[:10]),
                      decision_no=data["decision_no"], listed_on=today, ends_on=ends_on,
                      principal_name=(data.get("principal_name") or "").strip() or None, status="active",
                      created_at=ctx.now)
    db.session.add(listing)
    db.session.flush()
    defence = data.get("defence") or {}
    content = render_docx("blacklist_decision", {
        "bureau_name": policy.bureau_name, "decision_number": data["decision_no"],
        "agency": {"name": agency.name, "credit_code": agency.credit_code,
                   "legal_representative": agency.legal_representative, "address": agency.address},
        "penalty": {"number": data["penalty_decision_no"], "decided_on": data["penalty_decided_on"]},
        "notice": {"number": defence.get("notice_number", ""), "served_on": defence.get("served_on", today.isoformat())},
        "defence_outcome": _defence_outcome(data),
        "facts": clause(data["facts"]), "grounds": grounds, "legal_basis": policy.cite(policy.blacklist.legal_basis),
        "listing": {"start": today, "end": ends_on}, "measures": _measures(ctx),
        "remedies": {"early_removal_after_months": policy.blacklist.early_removal_after_months,
                     "review_body": f"{policy.parent_name}应急管理厅或{policy.name}人民政府", "court": f"{policy.name}有管辖权的人民法院"},
        "issued_on": today})
    add_generated_document(ctx.case.id, kind="blacklist_decision", filename=f"列入决定书-{agency.name}.docx",
                           content=content, content_type=DOCX, actor=ctx.actor)
    audit.record("agency_listed", actor=ctx.actor, case_id=ctx.case.id, detail={
        "agency_id": agency.id, "decision_no": listing.decision_no, "listed_on": today.isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None, "principal": listing.principal_name})
    ends_at = None if ends_on is None else datetime.combine(ends_on + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return {"listing_id": listing.id, "has_end": ends_on is not None,
            "ends_at": ends_at.isoformat() if ends_at else None, "ends_on": ends_on.isoformat() if ends_on else None}


def _set_status(ctx, data: dict, status: str, action: str) -> dict:
    listing = db.session.get(Listing, data["listing"]["listing_id"])
    before = listing.status
    listing.status = status
    listing.removed_on = None if status == "active" else _today(ctx)
    db.session.flush()
    audit.record(action, actor=ctx.actor, case_id=ctx.case.id, detail={
        "listing_id": listing.id, "decision_no": listing.decision_no, "from": before, "to": status,
        "on": _today(ctx).isoformat()})
    return {"status": status}


@service("expire_listing")
def expire_listing(ctx, data: dict) -> dict:
    """The period has run out: the listing leaves the public page today; restrictions end."""
    return _set_status(ctx, data, "expired", "listing_expired")


@service("grant_repair")
def grant_repair(ctx, data: dict) -> dict:
    """信用修复 granted: removed early (or, with no fixed end, lifted by this decision)."""
    lifted = not data["listing"]["has_end"]
    return _set_status(ctx, data, "lifted" if lifted else "early_removed", "listing_lifted" if lifted else "listing_repaired")


@service("revoke_repair")
def revoke_repair(ctx, data: dict) -> dict:
    """The repair application proved false: the early removal is revoked and the listing restored."""
    return _set_status(ctx, data, "active", "listing_restored")


@service("prepare_listing")
def prepare_listing(ctx, data: dict) -> dict:
    """A case referred by another process (e.g. an interview) arrives with its agency and facts."""
    return {"agency_id": data.get("agency_id"), "facts": data.get("referral_facts") or ""}
