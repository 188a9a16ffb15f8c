"""Warning interview (警示约谈): notice drafted and approved, served, held and recorded, rectification reviewed.

Grounds are the deployment city's policy data ([JC] 第十七条; [WJ] 第二十四条; [JX] 约束措施; [LY22] 五);
opened by an official or by another process through `workflows.links.request_case("interview", …)`.
"""
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from models import Agency, Bulletin, db
from rules.documents import render_docx
from workflows import audit, links
from workflows.calendar_service import deadline_json, platform_calendar
from workflows.clock import SHANGHAI
from workflows.documents import add_generated_document
from workflows.errors import InvalidInput
from workflows.labels import clause

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, document, meta, text

register_process(ProcessInfo(key="interview", title="警示约谈", starter_roles=("city_official",)))
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def grounds(settings) -> list[dict]:
    """The city's interview grounds with their citations."""
    return list(settings["CITY_POLICY"].interview_grounds)


def resolve_ground(settings, code: str | None) -> str | None:
    """A ground code, or an alias another process uses (e.g. grading's 'linyi_poor_grade')."""
    for row in grounds(settings):
        if code == row["code"] or code in row.get("aliases", ()):
            return row["code"]
    return None


def registered_agencies() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Agency.id, Agency.name).where(Agency.status == "registered")
                              .order_by(Agency.name)).all()
    return [(i, n) for i, n in rows]


def _future_local(value: str) -> None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("时间格式应为 YYYY-MM-DD HH:MM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    from workflows.clock import now
    if moment <= now():
        raise ValidationError("约谈时间应晚于当前时间")


def notice_schema(settings) -> Schema:
    """约谈通知书 draft: agency, grounds with evidence, time, place, who must attend."""
    policy = settings["CITY_POLICY"]
    required = "、".join(policy.interview.attendees_required)
    return Schema.from_dict({
        "agency_id": fields.Integer(required=True, metadata=meta(
            "约谈对象（机构）", widget="select", choices=registered_agencies())),
        "grounds": fields.List(fields.String(validate=validate.OneOf([g["code"] for g in grounds(settings)])),
                               required=True, validate=validate.Length(min=1, error="至少选择一项约谈情形"),
                               metadata=meta("约谈情形", widget="checkboxes",
                                             choices=[(g["code"], f"{g['title']}（{g['source']}）")
                                                      for g in grounds(settings)],
                                             source=policy.interview.basis("legal_basis"))),
        "evidence": text("事实与证据", max_len=4000, widget="textarea", help="写明发现问题的经过、材料"),
        "interview_time": fields.String(required=True, validate=_future_local, metadata=meta(
            "约谈时间", widget="datetime", placeholder="2026-12-01T09:30")),
        "interview_place": text("约谈地点"),
        "attendees_required": text("须参加人员", help=f"默认：{required}（{policy.interview.basis('attendees_required')}）"),
        "contact_name": text("联系人", max_len=64),
        "contact_phone": text("联系电话", max_len=32),
    }, name="InterviewNotice")()


def validate_notice(ctx, data: dict) -> dict:
    agency = db.session.get(Agency, data.get("agency_id")) if data.get("agency_id") else None
    if data.get("agency_id") is not None and (agency is None or agency.status != "registered"):
        return {"agency_id": ["请选择已登记建档的机构"]}
    return {}


def prefill_notice(ctx, data: dict) -> dict:
    """Who must attend by default, and what a linked case brought (agency, ground)."""
    return dict(data.get("prepared") or {},
                attendees_required="、".join(ctx.settings["CITY_POLICY"].interview.attendees_required))


register_form(FormSpec(key="interview_notice", title="约谈通知书", schema=notice_schema,
                       validate=validate_notice, prefill=prefill_notice, carry_over=("interview_notice",)))


class ApprovalSchema(Schema):
    decision = choice("审批意见", [("approve", "同意约谈"), ("return", "退回修改")])
    opinion = fields.String(load_default="", metadata=meta("审批说明", widget="textarea", help="退回时必须填写"))


def _need_opinion(ctx, data: dict) -> dict:
    if data.get("decision") not in (None, "approve", "accept") and not (data.get("opinion") or "").strip():
        return {"opinion": ["请填写理由"]}
    return {}


def notice_preview(ctx, data: dict) -> list[dict]:
    """The 约谈通知书 exactly as it will be issued if approved now."""
    from ._previews import document_panel
    return document_panel("待制发的约谈通知书（预览）", notice_document, ctx, data,
                          "同意后即以此内容制发并送达约谈对象。")


register_form(FormSpec(key="interview_approval", title="约谈通知书审批", schema=lambda s: ApprovalSchema(),
                       validate=_need_opinion, shows=("interview_notice",), submission=notice_preview))


class AcknowledgeSchema(Schema):
    attendees = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata=meta(
        "参加人员（每行：姓名，职务）", widget="textarea"))
    acknowledged = fields.Boolean(required=True, validate=validate.Equal(True, error="请确认已收到约谈通知书"),
                                  metadata=meta("已收到约谈通知书，将按时参加", widget="checkbox"))


register_form(FormSpec(key="interview_acknowledgement", title="签收约谈通知书", schema=lambda s: AcknowledgeSchema(),
                       shows=("interview_notice",)))


def record_schema(settings) -> Schema:
    days = settings["CITY_POLICY"].interview.rectification_working_days
    return Schema.from_dict({
        "attendees": text("实际参加人员（每行：姓名，职务）", max_len=2000, widget="textarea"),
        "problems": text("发现的问题（每行一条）", max_len=4000, widget="textarea"),
        "agency_statement": text("机构陈述", max_len=4000, widget="textarea"),
        "rectification_requirements": text("整改要求（每行一条）", max_len=4000, widget="textarea"),
        "rectification_working_days": fields.Integer(load_default=days, validate=validate.Range(min=1, max=120),
                                                     metadata=meta("整改期限（工作日）", help=f"默认{days}个工作日，不含当日")),
    }, name="InterviewRecord")()


def validate_record(ctx, data: dict) -> dict:
    """The record of an interview cannot be entered before the interview's scheduled time."""
    scheduled = _scheduled(ctx)
    if scheduled is not None and ctx.now < scheduled:
        when = scheduled.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        return {"attendees": [f"约谈定于{when}进行，约谈开始前不能录入约谈记录"]}
    return {}


def _scheduled(ctx) -> datetime | None:
    """The interview time of the case's notice (from the workflow data of the open record task)."""
    from workflows.engine import load_workflow, ready_user_tasks
    wf = load_workflow(ctx.case.workflow_json, ctx.case.process_version)
    tasks = [t for t in ready_user_tasks(wf) if t.task_spec.bpmn_id == "hold_interview"]
    value = tasks[0].data.get("interview_time") if tasks else None
    return datetime.fromisoformat(_aware(value)) if value else None


register_form(FormSpec(key="interview_record", title="约谈记录", schema=record_schema, validate=validate_record,
                       shows=("interview_notice", "interview_acknowledgement")))


class RectificationSchema(Schema):
    report = fields.String(required=True, validate=validate.Length(min=1, max=8000),
                           metadata=meta("整改报告", widget="textarea"))
    evidence = document("整改佐证材料")


def _evidence_on_case(ctx, data: dict) -> dict:
    from models import Document
    doc = db.session.get(Document, data.get("evidence")) if data.get("evidence") else None
    if data.get("evidence") is not None and (doc is None or doc.case_id != ctx.case.id):
        return {"evidence": ["请上传本案件的整改佐证材料"]}
    return {}


register_form(FormSpec(key="rectification_report", title="提交整改报告", schema=lambda s: RectificationSchema(),
                       validate=_evidence_on_case, shows=("interview_record",)))


class OverdueSchema(Schema):
    action_taken = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                                 metadata=meta("督办情况", widget="textarea"))


register_form(FormSpec(key="rectification_overdue", title="整改逾期督办", schema=lambda s: OverdueSchema()))


class ReviewSchema(Schema):
    decision = choice("审查意见", [("accept", "整改合格，结案"), ("again", "整改不到位，继续整改"),
                                   ("refer", "移送列入严重失信主体名单程序")])
    opinion = fields.String(load_default="", metadata=meta("审查说明", widget="textarea"))
    rectification_working_days = fields.Integer(load_default=None, allow_none=True,
                                                validate=validate.Range(min=1, max=120),
                                                metadata=meta("继续整改期限（工作日）"))


def _validate_review(ctx, data: dict) -> dict:
    errors = _need_opinion(ctx, data)
    if data.get("decision") == "again" and not data.get("rectification_working_days"):
        errors["rectification_working_days"] = ["继续整改时请填写整改期限"]
    return errors


register_form(FormSpec(key="rectification_review", title="整改情况审查", schema=lambda s: ReviewSchema(),
                       validate=_validate_review, shows=("rectification_report",)))


# --- service tasks ------------------------------------------------------------------------------------------

def _agency(ctx, data) -> Agency:
    agency = db.session.get(Agency, data.get("agency_id"))
    if agency is None:
        raise InvalidInput("约谈对象不存在", {"agency_id": ["约谈对象不存在"]})
    return agency


@service("prepare_interview")
def prepare_interview(ctx, data: dict) -> dict:
    """A case opened by another process arrives with its agency and ground: preselect them."""
    code = resolve_ground(ctx.settings, data.get("ground"))
    out = {"grounds": [code] if code else []}
    if data.get("agency_id"):
        out["agency_id"] = data["agency_id"]
    return out


@service("bind_interview")
def bind_interview(ctx, data: dict) -> dict:
    """Name the case after its agency and route it to the agency's county."""
    agency = _agency(ctx, data)
    ctx.set_case(agency_id=agency.id, unit_code=agency.county_code, credit_code=agency.credit_code,
                 title=f"{agency.name} 警示约谈")
    policy = ctx.settings["CITY_POLICY"]
    chosen = [dict(g, citation=policy.cite(g["source"])) for g in grounds(ctx.settings) if g["code"] in data["grounds"]]
    return {"ground_rows": [{"code": g["code"], "text": g["text"], "citation": g["citation"]} for g in chosen]}


def _aware(value: str) -> str:
    """A local 'YYYY-MM-DDTHH:MM' as an aware ISO time in Asia/Shanghai."""
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)).isoformat()


def _doc_number(ctx, kind: str) -> str:
    return f"{ctx.settings['CITY_POLICY'].name}应急{kind}〔{ctx.now.astimezone(SHANGHAI).year}〕{ctx.case.id}号"


@service("issue_interview_notice")
def issue_interview_notice(ctx, data: dict) -> dict:
    """Generate the approved 约谈通知书 (.docx), store it with the case, hashed and audited."""
    agency = _agency(ctx, data)
    content, number = notice_document(ctx, data)
    doc = add_generated_document(ctx.case.id, kind="interview_notice", filename=f"约谈通知书-{agency.name}.docx",
                                 content=content, content_type=DOCX, actor=ctx.actor)
    return {"number": number, "document_id": doc.id}


def notice_document(ctx, data: dict) -> tuple[bytes, str]:
    """The 约谈通知书 (.docx) as issued at `ctx.now` and its number (also the leader's preview)."""
    agency, policy = _agency(ctx, data), ctx.settings["CITY_POLICY"]
    number = _doc_number(ctx, "约谈")
    content = render_docx("interview_notice", {
        "bureau_name": policy.bureau_name, "document_number": number,
        "agency": {"name": agency.name, "credit_code": agency.credit_code},
        "grounds": data["bind"]["ground_rows"], "legal_basis": policy.cite(policy.interview.legal_basis),
        "interview": {"time": _aware(data["interview_time"]), "place": data["interview_place"]},
        "attendees_required": [a for a in data["attendees_required"].replace("，", "、").split("、") if a],
        "contact": {"name": data["contact_name"], "phone": data["contact_phone"]},
        "issued_on": ctx.now.astimezone(SHANGHAI).date()})
    return content, number


@service("rectification_deadline")
def rectification_deadline(ctx, data: dict) -> dict:
    """The rectification deadline in working days (start day excluded) and the reminder 2 working days before.

    The first period counts from the day of the interview, not from when its record was entered; a further
    period ("继续整改") counts from the review."""
    days = data.get("rectification_working_days") or ctx.settings["CITY_POLICY"].interview.rectification_working_days
    start = ctx.now
    if "rectification" not in data and data.get("interview_time"):
        start = min(datetime.fromisoformat(_aware(data["interview_time"])), ctx.now)
    deadline = deadline_json(start, int(days))
    before = ctx.settings["CITY_POLICY"].interview.reminder_working_days_before
    from datetime import date
    remind_on = platform_calendar().subtract_working_days(date.fromisoformat(deadline["ends_on"]), int(before))
    remind_at = datetime.combine(remind_on, datetime.min.time(), SHANGHAI).replace(hour=9)
    return dict(deadline, reminder_at=max(remind_at, ctx.now).isoformat())


@service("issue_interview_record")
def issue_interview_record(ctx, data: dict) -> dict:
    """Generate the 约谈记录 (.docx) with the rectification deadline and how it was counted."""
    agency, policy = _agency(ctx, data), ctx.settings["CITY_POLICY"]
    lines = lambda s: [x.strip() for x in (s or "").splitlines() if x.strip()]
    attendees = [dict(zip(("name", "position"), (p.split("，", 1) + [""])[:2])) for p in lines(data["attendees"])]
    deadline = data["rectification"]
    content = render_docx("interview_record", {
        "bureau_name": policy.bureau_name, "agency": {"name": agency.name, "credit_code": agency.credit_code},
        "interview": {"time": _aware(data["interview_time"]), "place": data["interview_place"]},
        "interviewers": [getattr(ctx.actor, "display_name", "承办人")], "recorder": getattr(ctx.actor, "display_name", ""),
        "attendees": attendees, "problems": [{"text": p, "citation": ""} for p in lines(data["problems"])],
        "agency_statement": data["agency_statement"],
        "rectification": {"requirements": lines(data["rectification_requirements"]), "deadline": deadline}})
    doc = add_generated_document(ctx.case.id, kind="interview_record", filename=f"约谈记录-{agency.name}.docx",
                                 content=content, content_type=DOCX, actor=ctx.actor)
    return {"document_id": doc.id}


@service("remind_rectification")
def remind_rectification(ctx, data: dict) -> dict:
    """Two working days before the deadline: remind the agency (audited; shown on its task)."""
    audit.record("reminder_sent", case_id=ctx.case.id, detail={
        "title": "整改期限即将届满提醒", "deadline": data["rectification"]["explanation"]})
    return {"reminded_at": ctx.now.isoformat()}


@service("publish_interview_bulletin")
def publish_interview_bulletin(ctx, data: dict) -> dict:
    """Where the city's rules say so (武进 [WJ] 第二十四条), publish a 通报 of the interview."""
    policy = ctx.settings["CITY_POLICY"]
    if not policy.interview.get("publish_bulletin"):
        return {"published": False}
    agency = _agency(ctx, data)
    reasons = "；".join(clause(g["text"]) for g in data["bind"]["ground_rows"])
    db.session.add(Bulletin(case_id=ctx.case.id, agency_id=agency.id, title=f"关于对{agency.name}进行警示约谈的通报",
                            body=f"{agency.name}因{reasons}，经{policy.bureau_name}警示约谈并完成整改。依据："
                                 f"{policy.cite(policy.interview.basis('publish_bulletin'))}。",
                            published_on=ctx.now.astimezone(SHANGHAI).date(), created_at=ctx.now))
    audit.record("bulletin_published", actor=ctx.actor, case_id=ctx.case.id, detail={"agency": agency.name})
    return {"published": True}


def _referral_facts(data: dict) -> str:
    """What the listing investigation starts from: the notice's facts, the problems recorded at the interview
    and the reviewer's reason for referring (each as written, joined as sentences)."""
    parts = [("约谈事实与证据", data.get("evidence")), ("约谈发现的问题", data.get("problems")),
             ("移送理由", data.get("opinion"))]
    return "\n".join(f"{title}：{str(text).strip()}" for title, text in parts if text and str(text).strip())


@service("refer_to_blacklist")
def refer_to_blacklist(ctx, data: dict) -> dict:
    """Rejected rectification referred to the listing process (a linked case)."""
    link = links.request_case("blacklist", agency_id=data["agency_id"], ground="interview_referral",
                              origin_case_id=ctx.case.id, actor=ctx.actor,
                              variables={"referral_facts": _referral_facts(data)})
    return {"link_id": link.id, "blacklist_case_id": link.target_case_id}
