"""Sanctions as the rest of the platform sees them: active listings, and the guard that enforces them.

A listed agency cannot start a registration, take part in grading, or act in its cases — except, in its own
blacklist case, filing its statement (陈述申辩) and applying for credit repair (信用修复). Each refusal cites the
decision. Lifting or expiry restores access at once (the guard reads the listing's status).
"""
from datetime import date

from sqlalchemy import or_, select

from models import Agency, Listing, db

from . import audit, clock, labels
from .guards import register_guard

labels.register("action", {"measure_recorded": "记录处理措施"})

ALLOWED_WHILE_LISTED = {"complete:blacklist:file_defence", "complete:blacklist:apply_repair_timed",
                        "complete:blacklist:apply_repair_open", "upload:blacklist"}
ACTION_NAMES = {"start": "发起该事项", "participate": "参加分类等级评定", "complete": "办理该事项",
                "upload": "上传材料", "claim": "认领该任务"}


def active_listing(*, agency_id: int | None = None, credit_code: str | None = None) -> Listing | None:
    """The agency's listing in force today, if any (by id or by credit code)."""
    if agency_id is None and not credit_code:
        return None
    conds = []
    if agency_id is not None:
        conds.append(Listing.agency_id == agency_id)
    if credit_code:
        conds.append(Listing.agency_id.in_(select(Agency.id).where(Agency.credit_code == credit_code.upper())))
    return db.session.execute(select(Listing).where(Listing.status == "active", or_(*conds))
                              .order_by(Listing.id.desc()).limit(1)).scalar_one_or_none()


def listing_period(listing: Listing) -> str:
    """'2026-11-22 至 2029-11-21' or '2026-11-22 起，至决定解除之日止'."""
    if listing.ends_on is None:
        return f"{listing.listed_on.isoformat()} 起，至决定解除之日止"
    return f"{listing.listed_on.isoformat()} 至 {listing.ends_on.isoformat()}"


def refusal(listing: Listing, action: str) -> str:
    """The Chinese reason a listed agency is refused, citing the decision."""
    verb = ACTION_NAMES.get(action.split(":")[0], "办理该事项")
    return (f"该机构已被列入安全生产严重失信主体名单（决定书 {listing.decision_no}，列入期间 {listing_period(listing)}，"
            f"依据：{listing.basis}），期间不得{verb}。")


@register_guard
def listed_agency_guard(user, action: str, *, case=None, agency_id=None, credit_code=None) -> str | None:
    """Refuse what a listed agency may not do; officials acting on its cases are not refused."""
    if user is not None and user.role != "agency" and not action.startswith("participate"):
        return None
    process = getattr(case, "process_key", None)
    key = f"upload:{process}" if action == "upload" else action
    if key in ALLOWED_WHILE_LISTED:
        return None
    if user is not None and user.role == "agency" and agency_id is None:
        agency_id = user.agency_id
    listing = active_listing(agency_id=agency_id, credit_code=credit_code)
    return refusal(listing, action) if listing else None


def banned_principals() -> dict[str, Listing]:
    """Names of 主要负责人 banned with their agency (武进 [WJ] 第十九条 行业禁入), with the listing."""
    rows = db.session.execute(select(Listing).where(Listing.status == "active",
                                                    Listing.principal_name.is_not(None))).scalars()
    return {row.principal_name: row for row in rows}


def public_listings(today: date | None = None) -> list[Listing]:
    """What the public blacklist shows: listings in force (removed ones leave it the day they are removed)."""
    today = today or clock.today()
    return list(db.session.execute(select(Listing).where(Listing.status == "active", Listing.listed_on <= today)
                                   .order_by(Listing.listed_on.desc())).scalars())


def principal_warnings(values: dict) -> list[str]:
    """Flags for a form naming a banned 主要负责人 as the head of another agency ([WJ] 第十九条 行业禁入)."""
    name = (values.get("legal_representative") or "").strip()
    banned = banned_principals().get(name) if name else None
    if banned is None or banned.agency_id == values.get("agency_id"):
        return []
    return [(f"法定代表人“{name}”与被实施行业禁入的主要负责人同名（{banned.agency.name}，决定书 {banned.decision_no}，"
            f"{listing_period(banned)}），请核实身份。")]


def record_measures(policy, *, agency_id: int, case_id: int, measures: tuple[str, ...], basis: str, reason: str,
                    actor=None) -> list[dict]:
    """Record the measures a rule attaches to an outcome (临沂 差: 警告、责令限期停业整改, [LY22] 五), each with
    its basis, in the case's trail; the interview that follows carries them out."""
    rows = [{"measure": m, "basis": policy.cite(basis), "reason": reason} for m in measures]
    for row in rows:
        audit.record("measure_recorded", actor=actor, case_id=case_id, detail=dict(row, agency_id=agency_id))
    return rows
