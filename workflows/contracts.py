"""Filed service contracts: the filing period, late and missing flags, counts per agency for officials.

[WJ] 第十五条: the contract scan within 7日 of signing (calendar days, domain.md §8; a last day that is a
statutory holiday moves to the next working day, 民法典 第二百零三条), deliverables before the contract's end.
[JX] 表A 第4项 scores contracts not uploaded; `grading_facts` counts the filed ones.
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from models import Agency, GradingEntry, ServiceContract, db
from rules.supervision_policy import city_supervision

from . import clock
from .calendar import Deadline
from .calendar_service import platform_calendar
from .staff import can_view_roster


def filing_deadline(signed_on: date) -> Deadline | None:
    """The last day to file a contract signed on `signed_on`, or None where the city sets no period."""
    cfg = city_supervision(current_app.config).contracts
    if cfg.filing_days is None:
        return None
    cal = platform_calendar()
    if cfg.filing_day_kind == "working":
        return cal.add_working_days(signed_on, cfg.filing_days)
    return cal.add_calendar_days(signed_on, cfg.filing_days)


def deliverables_missing(contract: ServiceContract, today: date) -> bool:
    """The contract has ended and no deliverables were uploaded ([WJ] 第十五条)."""
    return contract.delivered_on is None and contract.ends_on < today


def contract_flags(contract: ServiceContract, today: date) -> list[str]:
    """What the officials' list marks on a contract."""
    flags = []
    if contract.filed_late:
        flags.append(f"逾期报备：应于{contract.filing_due_on.isoformat()}前报备，实际{contract.filed_on.isoformat()}报备")
    if deliverables_missing(contract, today):
        flags.append(f"合同已于{contract.ends_on.isoformat()}截止，未上传成果材料")
    if contract.delivered_late:
        flags.append(f"成果材料逾期上传（{contract.delivered_on.isoformat()}）")
    return flags


@dataclass
class AgencyContracts:
    """An agency's filed contracts and the counts officials see."""

    agency: Agency
    filed: int = 0
    filed_late: int = 0
    deliverables_missing: int = 0
    delivered_late: int = 0


def contracts_of(agency_id: int) -> list[ServiceContract]:
    """An agency's filed contracts, newest signing first."""
    return list(db.session.execute(select(ServiceContract).where(ServiceContract.agency_id == agency_id)
                                   .order_by(ServiceContract.signed_on.desc(), ServiceContract.id.desc())).scalars())


def summarize(agency: Agency, today: date | None = None) -> AgencyContracts:
    """Counts of filed, late, missing-deliverable and late-deliverable contracts of one agency."""
    today = today or clock.today()
    out = AgencyContracts(agency)
    for c in contracts_of(agency.id):
        out.filed += 1
        out.filed_late += c.filed_late
        out.deliverables_missing += deliverables_missing(c, today)
        out.delivered_late += c.delivered_late
    return out


def overview(user, today: date | None = None) -> list[AgencyContracts]:
    """Every registered agency the official may see, with its counts (agencies with flags first)."""
    agencies = db.session.execute(select(Agency).where(Agency.status == "registered").order_by(Agency.name)).scalars()
    rows = [summarize(a, today) for a in agencies if can_view_roster(user, a)]
    return sorted(rows, key=lambda r: -(r.filed_late + r.deliverables_missing + r.delivered_late))


def poor_grade_bar(agency_id: int, service_type: str, content: str) -> str | None:
    """Why an agency graded 差 may not take this service ([LY22] 六(三)), or None.

    A barred row matches the contract's 业务类型 (`service_types`) or a term in its content (`terms`, default
    the row's title). The bar follows the agency's latest final grade: a later better grade lifts it."""
    rows = current_app.config["CITY_POLICY"].barred_services_on_poor_grade
    if not rows:
        return None
    latest = db.session.execute(select(GradingEntry).where(GradingEntry.agency_id == agency_id,
                                                           GradingEntry.phase == "final")
                                .order_by(GradingEntry.id.desc()).limit(1)).scalar_one_or_none()
    if latest is None or latest.grade != "差":
        return None
    for row in rows:
        terms = tuple(row.get("terms") or (row["title"],))
        if service_type in (row.get("service_types") or ()) or any(t in (content or "") for t in terms):
            return (f"该机构在{latest.round.year}年度分类等级评定中被评为“差”，不得从事{row['title']}"
                    f"（{current_app.config['CITY_POLICY'].cite(row['source'])}），不能报备该项服务合同。")
    return None
