"""Periodic business reports: the platform opens one case per registered agency per period.

[JC] 第十五条 (annual, by the end of January); [WJ] 第十五条 and 附件3 (half-yearly 工作报表). The city's report is
policy data (`policies/<city>/reports.yaml`, `CityPolicy.reports`); the case is `bpmn/periodic_report.bpmn`.
Opening is idempotent (one `periodic_report` row per agency, report and period, unique in the database).
"""
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select, update

from models import Agency, PeriodicReport, db

from . import audit, clock
from .calendar import SHANGHAI
from .calendar_service import calendar_deadline, platform_calendar
from .cases import START_VIA
from .errors import InvalidInput, NotFound
from .runtime import latest_version, start_workflow_case

PROCESS = "periodic_report"
START_VIA.setdefault("period", "由平台按报告期为每家已登记建档的机构发起（flask reports open 或定时任务）")


def report_policy():
    """The deployment city's periodic report (NotFound where its rules have none)."""
    policy = current_app.config["CITY_POLICY"].reports
    if policy is None:
        raise NotFound("本市管理办法未规定技术服务机构定期报告")
    return policy


def report_deadline(label: str, now: datetime) -> dict:
    """The period's due date (calendar days after its end, 民法典 第二百零三条 applied) and the reminder time."""
    policy = report_policy()
    start, end = policy.period_bounds(label)
    settings = policy.settings
    deadline = calendar_deadline(end, int(settings["due_days_after_period_end"]))
    before = int(settings["reminder_working_days_before"])
    remind_on = platform_calendar().subtract_working_days(deadline.ends_on, before)
    remind_at = max(datetime.combine(remind_on, time(9), SHANGHAI), now.astimezone(SHANGHAI))
    return dict(deadline.to_json(), reminder_at=remind_at.isoformat(), reminder_working_days=before,
                period=label, period_name=policy.period_name(label), period_start=start.isoformat(),
                period_end=end.isoformat(), basis=settings.basis("due_days_after_period_end"))


def rules_warning(label: str) -> str:
    """A warning when the city's rules had lapsed by the period's end (晋城: 有效期两年, [JC] 第二十二条)."""
    city, policy = current_app.config["CITY_POLICY"], report_policy()
    _, end = policy.period_bounds(label)
    if not city.lapsed(end):
        return ""
    return (f"注意：本市管理办法有效期至{city.effective_to}（{city.rules_validity.get('source', '')}），"
            f"{policy.period_name(label)}报告期结束时已过有效期；继续适用前请核实是否续期。")


def prefill_rows(agency_id: int, period_start: date, period_end: date) -> list[list[str]]:
    """Table rows known to the platform for the period (contracts filed under [WJ] 第十五条): none yet.

    Hook for the contract-filing process: return one row per contract, cells in the city's column order.
    """
    return []


def _eligible(period_end: date) -> list[Agency]:
    """Agencies registered by the end of the period (an agency registered later had no business to report)."""
    return list(db.session.execute(select(Agency).where(
        Agency.status == "registered", Agency.registered_on <= period_end).order_by(Agency.id)).scalars())


def open_period_reports(period: str, actor=None, *, allow_late: bool = False) -> list[PeriodicReport]:
    """Open the period's report case for every registered agency that has none; returns the new ones (flushes)."""
    policy, now = report_policy(), clock.now()
    try:
        label = policy.normalize(period)
    except ValueError as err:
        raise InvalidInput(str(err), {"period": [str(err)]}) from None
    _, end = policy.period_bounds(label)
    today = now.astimezone(SHANGHAI).date()
    if today <= end:
        raise InvalidInput("报告期尚未结束，不能发起报告", {"period": [f"{policy.period_name(label)}至{end}结束"]})
    deadline = report_deadline(label, now)
    if not allow_late and datetime.fromisoformat(deadline["due_at"]) <= now:
        raise InvalidInput("该期报告的报送期限已过", {"period": [deadline["explanation"]]})
    have = set(db.session.execute(select(PeriodicReport.agency_id).where(
        PeriodicReport.report_code == policy.code, PeriodicReport.period == label)).scalars())
    version, opened = latest_version(PROCESS), []
    for agency in _eligible(end):
        if agency.id in have:
            continue
        step = start_workflow_case(
            actor, version, title=f"{agency.name} {policy.period_name(label)}{policy.title}",
            variables={"agency_id": agency.id, "agency_name": agency.name, "period": label},
            agency_id=agency.id, unit_code=agency.county_code, credit_code=agency.credit_code)
        case = step.save()
        row = PeriodicReport(agency_id=agency.id, report_code=policy.code, period=label, case_id=case.id,
                             status="open", due_at=datetime.fromisoformat(deadline["due_at"]), opened_at=now)
        db.session.add(row)
        db.session.flush()
        opened.append(row)
    audit.record("reports_opened", actor=actor, detail={"report": policy.code, "period": label,
                                                        "opened": len(opened), "due": deadline["explanation"],
                                                        "warning": rules_warning(label)})
    return opened


def open_due_reports(now: datetime | None = None) -> list[PeriodicReport]:
    """The scheduler's opener: the last closed period's cases, while its due date has not passed (idempotent)."""
    policy = current_app.config["CITY_POLICY"].reports
    if policy is None:
        return []
    now = now or clock.now()
    with clock.fixed_at(now):
        label = policy.last_closed_period(now.astimezone(SHANGHAI).date())
        if datetime.fromisoformat(report_deadline(label, now)["due_at"]) <= now:
            return []
        have = set(db.session.execute(select(PeriodicReport.agency_id).where(
            PeriodicReport.report_code == policy.code, PeriodicReport.period == label)).scalars())
        if all(a.id in have for a in _eligible(policy.period_bounds(label)[1])):
            return []
        return open_period_reports(label)


def report_of_case(case_id: int) -> PeriodicReport | None:
    """The report row a case handles."""
    return db.session.execute(select(PeriodicReport).where(PeriodicReport.case_id == case_id)).scalar_one_or_none()


def deadline_moved(case_id: int, variable: str, new: dict) -> None:
    """Keep the report row's due date in step when a provisional deadline is counted again."""
    if variable == "report":
        db.session.execute(update(PeriodicReport).where(PeriodicReport.case_id == case_id)
                           .values(due_at=datetime.fromisoformat(new["due_at"])))


def period_reports(period: str) -> list[PeriodicReport]:
    """Every agency's report of a period, for the officials' overview."""
    policy = report_policy()
    label = policy.normalize(period)
    return list(db.session.execute(select(PeriodicReport).where(
        PeriodicReport.report_code == policy.code, PeriodicReport.period == label)
        .order_by(PeriodicReport.agency_id)).scalars())
