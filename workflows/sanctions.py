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


def running_case_rule(process_key: str) -> tuple[str, str]:
    """('suspend' | 'continue', basis) for a listed agency's running case of this process (policy data)."""
    table = _listing_effects()
    return table["processes"].get(process_key, table["default"]), table["basis"]


def _listing_effects() -> dict:
    from pathlib import Path

    import yaml
    from flask import current_app
    root = Path(__file__).resolve().parent.parent / "policies"
    out: dict = {}
    for path in (root / "common" / "sanctions.yaml", root / current_app.config["ANFU_CITY"] / "sanctions.yaml"):
        if path.exists():
            rule = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("running_cases_when_listed") or {}
            out = {**out, **rule, "processes": {**out.get("processes", {}), **rule.get("processes", {})}}
    return out


def apply_listing_to_running_cases(listing: Listing, actor=None) -> list[int]:
    """When a listing takes effect: record on each of the agency's running cases whether it is suspended or
    continues (policy), and tell whoever holds their tasks. Returns the suspended case ids."""
    from models import Case, OpenTask

    from . import audit
    from .notify import notify_users
    suspended = []
    cases = db.session.execute(select(Case).where(Case.agency_id == listing.agency_id, Case.status == "running",
                                                  Case.id != listing.case_id)).scalars().all()
    for case in cases:
        rule, basis = running_case_rule(case.process_key)
        audit.record("listing_effect", actor=actor, case_id=case.id,
                     detail={"rule": rule, "decision_no": listing.decision_no, "basis": basis})
        holders = db.session.execute(select(OpenTask.assignee_id).where(OpenTask.case_id == case.id)).scalars()
        what = "暂停办理，解除或期满后恢复" if rule == "suspend" else "继续办理"
        notify_users(list(holders), "listing_effect", f"“{case.title}”所涉机构已被列入严重失信主体名单（决定书 "
                     f"{listing.decision_no}），本案件{what}。", case_id=case.id)
        if rule == "suspend":
            suspended.append(case.id)
    return suspended


def listing_notice(case) -> str | None:
    """The notice shown on every task page of a listed agency's case (officials, experts and the agency)."""
    if case is None or case.agency_id is None or case.process_key == "blacklist":
        return None
    listing = active_listing(agency_id=case.agency_id)
    if listing is None:
        return None
    rule, basis = running_case_rule(case.process_key)
    what = "按规定本案件暂停办理，解除或期满后恢复" if rule == "suspend" else "本案件继续办理，请办理人知悉"
    return (f"该机构已被列入安全生产严重失信主体名单（决定书 {listing.decision_no}，列入期间 {listing_period(listing)}），"
            f"{what}（{basis}）。")


@register_guard
def suspended_case_guard(user, action: str, *, case=None, agency_id=None, credit_code=None) -> str | None:
    """While its agency is listed, nobody claims or completes the tasks of a case the policy suspends."""
    if case is None or case.agency_id is None or not (action == "claim" or action.startswith("complete:")):
        return None
    if case.process_key == "blacklist" or running_case_rule(case.process_key)[0] != "suspend":
        return None
    listing = active_listing(agency_id=case.agency_id)
    if listing is None:
        return None
    return (f"该机构已被列入安全生产严重失信主体名单（决定书 {listing.decision_no}），本案件暂停办理，"
            "解除或期满后恢复。")


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
