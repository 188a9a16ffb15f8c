"""Periodic business report (定期报告): the agency reports its business for a period, an official reviews it.

Sources: [JC] 第十五条 (annual, by the end of January), 第十七条(三) (not reporting → 警示约谈); [WJ] 第十五条 and
附件3 (half-yearly 工作报表), 第二十四条(一) (逃避监管 → 约谈警示并通报). The report, its columns, due date and the
interview ground are the city's policy data (`policies/<city>/reports.yaml`). One case per agency per period,
opened by the platform (`workflows/reports.py`), never from the start menu.
"""
from marshmallow import Schema, fields, validate
from sqlalchemy import update

from models import PeriodicReport, db
from rules.report_table import parse_rows
from workflows import audit, links
from workflows.calendar_service import deadline_json

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, meta, text

register_process(ProcessInfo(key="periodic_report", title="定期报告", start_via="period"))


def _policy(settings):
    return settings["CITY_POLICY"].reports


def report_schema(settings) -> Schema:
    """The report: the project table (one line per project), or a declaration of no business, and the footer."""
    policy = _policy(settings)
    if policy is None:  # a city without a periodic report still validates the shipped diagram
        return Schema.from_dict({}, name="PeriodicReport")()
    names = "、".join(c["name"] for c in policy.columns)
    return Schema.from_dict({
        "rows": fields.String(load_default="", validate=validate.Length(max=400000), metadata=meta(
            policy.table_title, widget="report_rows", source=policy.source,
            help=f"每行一个项目，各列以制表符分隔，依次为：{names}（序号自动编排）；可下载 Excel 模板填写后导入。"
                 + (f"{policy.table_note}" if policy.table_note else ""))),
        "no_business": fields.Boolean(load_default=False, metadata=meta(
            "本报告期内未在本行政区域开展业务", widget="checkbox", source=policy.source)),
        "summary": text("业务情况说明", required=False, max_len=4000, widget="textarea", source=policy.source),
        "principal": text("负责人", max_len=64, source=policy.footer_source),
        "filled_by": text("填表人", max_len=64, source=policy.footer_source),
        "phone": text("联系电话（传真）", max_len=64, source=policy.footer_source),
    }, name="PeriodicReport")()


def validate_report(ctx, data: dict) -> dict:
    """Every bad row by number; a report is either projects or an explicit 'no business'."""
    policy = _policy(ctx.settings)
    rows, errors = parse_rows(policy.columns, data.get("rows", ""))
    if errors:
        return {"rows": errors}
    if not rows and not data.get("no_business"):
        return {"rows": ["请填写本期开展的项目，或勾选“本报告期内未在本行政区域开展业务”"]}
    if rows and data.get("no_business"):
        return {"no_business": ["已填写项目的，不能同时声明未开展业务"]}
    return {}


def prefill_report(ctx, data: dict) -> dict:
    """Rows the platform already knows for the period (filed contracts; see workflows.reports.prefill_rows)."""
    from datetime import date

    from workflows.reports import prefill_rows
    deadline = data.get("report") or {}
    if data.get("rows") or not deadline.get("period_start") or ctx.case.agency_id is None:
        return {}
    rows = prefill_rows(ctx.case.agency_id, date.fromisoformat(deadline["period_start"]),
                        date.fromisoformat(deadline["period_end"]))
    return {"rows": "\n".join("\t".join(r) for r in rows)} if rows else {}


def report_table(ctx, data: dict) -> list[dict]:
    """The submitted rows as the paper form's table (序号 first), for the reviewer."""
    policy = _policy(ctx.settings)
    if policy is None or "rows" not in data:
        return []
    rows, _ = parse_rows(policy.columns, data.get("rows", ""))
    deadline = data.get("report") or {}
    return [{"title": f"{policy.table_title}（{deadline.get('period_start', '')} 至 {deadline.get('period_end', '')}）",
             "columns": ["序号", *[c["name"] for c in policy.columns]],
             "rows": [{"cells": [n, *r], "flag": ""} for n, r in enumerate(rows, start=1)],
             "note": "本期未开展业务" if data.get("no_business") else f"共{len(rows)}个项目"}]


INSTRUCTIONS = ("请如实填写报告期内在本行政区域开展的业务（[JC] 第十五条；[WJ] 第十五条、附件3），于办理期限前提交；"
                "逾期未报的，按本市管理办法启动警示约谈（[JC] 第十七条；[WJ] 第二十四条(一)）。")
register_form(FormSpec(key="periodic_report_form", title="定期报告（业务情况）", schema=report_schema,
                       validate=validate_report, prefill=prefill_report, instructions=INSTRUCTIONS))
register_form(FormSpec(key="periodic_report_correction", title="定期报告（退回修改）", schema=report_schema,
                       validate=validate_report, shows=("periodic_report_review",),
                       carry_over=("periodic_report_form", "periodic_report_correction"),
                       instructions="请按审核意见修改报告并在期限内重新提交。"))

DECISIONS = [("accept", "审核通过"), ("return", "退回修改")]


class ReviewSchema(Schema):
    """The official's review of a submitted report."""

    decision = choice("审核意见", DECISIONS, source="[JC] 第十五条；[WJ] 第十五条")
    opinion = fields.String(load_default="", validate=validate.Length(max=2000),
                            metadata=meta("审核说明", widget="textarea", help="退回修改时必须写明需修改的内容"))


def validate_review(ctx, data: dict) -> dict:
    """Returning a report needs a reason the agency can act on."""
    if data.get("decision") == "return" and not data.get("opinion", "").strip():
        return {"opinion": ["退回修改时必须填写审核说明"]}
    return {}


register_form(FormSpec(key="periodic_report_review", title="审核定期报告", schema=lambda s: ReviewSchema(),
                       validate=validate_review, tables=report_table,
                       shows=("periodic_report_form", "periodic_report_correction")))


def _set_row(ctx, **values) -> None:
    db.session.execute(update(PeriodicReport).where(PeriodicReport.case_id == ctx.case.id).values(**values))


@service("periodic_report_deadline")
def periodic_report_deadline(ctx, data: dict) -> dict:
    """The period's due date from the city's rule and the reminder before it (absolute, Asia/Shanghai)."""
    from workflows.reports import report_deadline
    return report_deadline(data["period"], ctx.now)


@service("periodic_report_submitted")
def periodic_report_submitted(ctx, data: dict) -> dict:
    """Record the submission on the report row (number of projects, time), audited."""
    rows, _ = parse_rows(_policy(ctx.settings).columns, data.get("rows", ""))
    _set_row(ctx, status="submitted", submitted_at=ctx.now, row_count=len(rows))
    audit.record("report_submitted", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"period": data["period"], "projects": len(rows), "no_business": bool(data.get("no_business"))})
    return {"projects": len(rows), "submitted_at": ctx.now.isoformat()}


@service("periodic_report_returned")
def periodic_report_returned(ctx, data: dict) -> dict:
    """Returned for correction: the agency has the city's number of working days to resubmit."""
    _set_row(ctx, status="returned")
    return deadline_json(ctx.now, int(_policy(ctx.settings).settings["correction_working_days"]))


@service("periodic_report_accepted")
def periodic_report_accepted(ctx, data: dict) -> dict:
    """Accepted: the report row is closed."""
    _set_row(ctx, status="accepted", accepted_at=ctx.now)
    audit.record("report_accepted", actor=ctx.actor, case_id=ctx.case.id, detail={"period": data["period"]})
    return {"accepted_at": ctx.now.isoformat()}


@service("remind_periodic_report")
def remind_periodic_report(ctx, data: dict) -> dict:
    """N working days before the due date: remind the agency (audited; shown on its task)."""
    audit.record("reminder_sent", case_id=ctx.case.id, detail={
        "title": "定期报告报送期限即将届满提醒", "deadline": data["report"]["explanation"]})
    return {"reminded_at": ctx.now.isoformat()}


@service("periodic_report_overdue")
def periodic_report_overdue(ctx, data: dict) -> dict:
    """Past the due date without a report: mark it overdue and, where the city's rules say so, open a warning
    interview on the city's ground ([JC] 第十七条(三); [WJ] 第二十四条(一))."""
    policy = _policy(ctx.settings)
    _set_row(ctx, overdue=True)
    ground = policy.overdue_interview_ground
    audit.record("report_overdue", case_id=ctx.case.id, detail={
        "period": data["period"], "deadline": data["report"]["explanation"], "interview_ground": ground})
    if not ground:
        return {"interview": False}
    link = links.request_case("interview", agency_id=ctx.case.agency_id, ground=ground, origin_case_id=ctx.case.id,
                              actor=None, variables={"report_period": data["report"]["period_name"]})
    return {"interview": True, "link_id": link.id, "interview_case_id": link.target_case_id}
