"""What the platform already knows about an agency that a scoring rule can use (rules with `platform:` in the sheet).

[JX] 表A 第4项 scores uploads to the 综合监管平台 and both sheets score the number of 专职 staff; where the
platform holds that data the expert sees it beside the rule, and a rule with `below:` is pre-marked when the
fact is under the threshold. The expert still decides: the finding stays editable.
"""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from models import Agency, Case, Document, ServiceContract, db

UPLOAD_KINDS = {"uploaded_contracts": ("service_contract", "服务合同"),
                "uploaded_hazards": ("hazard_report", "安全隐患排查记录")}


def agency_facts(agency_id: int, since: date | None = None) -> dict[str, tuple[float | None, str]]:
    """fact name → (value or None when the platform holds no such data, a sentence saying where it comes from)."""
    agency = db.session.get(Agency, agency_id)
    out: dict[str, tuple[float | None, str]] = {}
    if agency is not None:
        out["registered_staff_count"] = (float(agency.staff_count),
                                         f"平台登记建档资料：专职技术服务人员 {agency.staff_count} 人")
    since = since or date.today() - timedelta(days=730)
    for fact, (kind, title) in UPLOAD_KINDS.items():
        # a contract_filing case's scan counts once it is filed (a ServiceContract row), not on upload
        count = db.session.scalar(select(func.count(Document.id)).join(Case, Case.id == Document.case_id)
                                  .where(Case.agency_id == agency_id, Document.kind == kind,
                                         Case.process_key != "contract_filing",
                                         Document.uploaded_at >= datetime.combine(since, time.min, UTC))) or 0
        if kind == "service_contract":
            count += db.session.scalar(select(func.count(ServiceContract.id)).where(
                ServiceContract.agency_id == agency_id, ServiceContract.filed_on >= since)) or 0
        out[fact] = ((float(count), f"平台记录：{since.isoformat()} 以来上传{title} {count} 份") if count else
                     (None, f"平台暂无该机构上传的{title}记录，请现场核查"))
    out["founded_complaints"] = complaint_fact(agency_id, since)
    return out


def complaint_fact(agency_id: int, since: date) -> tuple[float | None, str]:
    """Complaints about the agency closed as founded (约谈 or 移送列入名单); [LY22] 五 names 反映意见较多."""
    from workflows.complaints import founded_count
    count = founded_count(agency_id, datetime.combine(since, time.min, UTC))
    if not count:
        return None, f"平台记录：{since.isoformat()} 以来无经查属实的投诉举报"
    return float(count), f"平台记录：{since.isoformat()} 以来经查属实的投诉举报 {count} 件"


def rule_fact(rule, facts: dict) -> tuple[bool | None, str]:
    """(pre-marked finding or None, the fact's sentence) for a rule with `platform:`."""
    value, sentence = facts.get(rule.platform_fact, (None, ""))
    if value is None or rule.platform_below is None:
        return None, sentence
    return value < float(rule.platform_below), sentence
