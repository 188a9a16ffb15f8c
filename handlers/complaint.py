"""Complaints and reports (投诉举报): 市局分办 → 县区局调查核实 → 办结答复 (不属实/约谈/移送列入名单/转交其他部门).

[JC] 第二十条；[WJ] 第五条；[LY23] 第十八条；[LY22] 六(四). Filed on the public page (workflows/complaints.py);
whoever decides sees the complaint in full at the top of the task. The agency concerned never sees who
complained: the case is not the agency's, and it is told only the substance the official writes.
"""
from marshmallow import Schema, fields, validate

from models import Agency, Document, User, db
from workflows import labels, links
from workflows.complaints import FOUNDED, complaint_of_case, policy, registered_agencies
from workflows.errors import InvalidInput
from workflows.notify import notify_users

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, document, meta, text

labels.register("outcome", {"unfounded": "反映问题不属实", "interview": "经查属实，警示约谈",
                            "blacklist": "经查属实，移送列入严重失信主体名单程序", "referred_elsewhere": "转交有关部门"})
labels.register("document_kind", {"complaint_evidence": "投诉举报证明材料"})
labels.register("decision", {"investigate": "交县区局调查核实", "refer_elsewhere": "转交有关部门"})
labels.register("ground", {"complaint_referral": "投诉举报经查属实"})
register_process(ProcessInfo(key="complaint", title="投诉举报办理", starter_roles=(), start_via="public",
                             extra={"case_tables": lambda ctx, data: complaint_table(ctx, data)}))


def complaint_table(ctx, data: dict) -> list[dict]:
    """For the case page (officials only: the case is never the agency's): the complaint, its state and reply."""
    c = complaint_of_case(ctx.case.id)
    if c is None:
        return []
    rows = [("受理编号", c.tracking_code), ("被投诉举报机构", c.agency_named), ("投诉举报内容", c.text),
            ("投诉举报人", c.name or "匿名"), ("联系方式", c.contact or "未留"),
            ("办理结果", policy().outcome_label(c.outcome) or "办理中"), ("转交部门", c.referred_to or "—"),
            ("答复投诉举报人", c.reply or "尚未答复")]
    return [{"title": "投诉举报", "columns": ["项目", "内容"], "rows": [{"cells": list(r), "flag": ""} for r in rows],
             "note": "投诉举报人信息仅限监管部门掌握，不得向被投诉举报机构透露。"}]


def complaint_panel(ctx, data: dict) -> list[dict]:
    """The complaint in full (text, who, contact, file) and what the investigation found, for officials."""
    complaint = complaint_of_case(ctx.case.id)
    if complaint is None:
        return []
    doc = db.session.get(Document, complaint.document_id) if complaint.document_id else None
    rows = [("受理编号", complaint.tracking_code), ("被投诉举报机构", complaint.agency_named),
            ("投诉举报内容", complaint.text), ("投诉举报人", complaint.name or "匿名"),
            ("联系方式", complaint.contact or "未留")]
    panels = [{"title": "投诉举报内容（投诉举报人信息仅限监管部门掌握，不得向被投诉机构透露）", "rows": rows,
               "documents": [doc] if doc else []}]
    if data.get("findings"):
        found = db.session.get(Document, data.get("investigation_file")) if data.get("investigation_file") else None
        panels.append({"title": "县区局调查核实情况", "rows": [
            ("调查核实情况", data["findings"]),
            ("建议办理结果", policy().outcome_label(data.get("proposed_outcome")))], "documents": [found] if found else []})
    return panels


def triage_schema(settings) -> Schema:
    return Schema.from_dict({
        "triage_decision": choice("分办意见", [("investigate", "交县区应急管理局调查核实"),
                                              ("refer_elsewhere", "不属本部门职责，转交有关部门")]),
        "agency_id": fields.Integer(load_default=None, allow_none=True, metadata=meta(
            "被投诉举报机构", widget="select", choices=registered_agencies(), help="交县区局调查时必须选择")),
        "referred_to": text("转交部门", required=False, max_len=128, help="转交有关部门时必须填写"),
        "triage_reply": text("答复投诉举报人", required=False, max_len=2000, widget="textarea",
                             help="转交有关部门时必须填写，投诉举报人凭受理编号可见"),
    }, name="ComplaintTriage")()


def validate_triage(ctx, data: dict) -> dict:
    if data.get("triage_decision") == "refer_elsewhere":
        errors = {k: ["转交有关部门时必须填写"] for k in ("referred_to", "triage_reply") if not (data.get(k) or "").strip()}
        return errors
    agency = db.session.get(Agency, data["agency_id"]) if data.get("agency_id") else None
    if agency is None or agency.status != "registered":
        return {"agency_id": ["请选择已登记建档的机构"]}
    return {}


def prefill_triage(ctx, data: dict) -> dict:
    return {"agency_id": data.get("agency_id")}


register_form(FormSpec(key="complaint_triage", title="投诉举报分办", schema=triage_schema, validate=validate_triage,
                       prefill=prefill_triage, submission=complaint_panel))


def _outcomes() -> list[tuple[str, str]]:
    return [(o["code"], f"{o['label']}（{labels.cite(o['source'])}）") for o in policy().outcomes]


def investigation_schema(settings) -> Schema:
    return Schema.from_dict({
        "findings": text("调查核实情况", max_len=8000, widget="textarea", help="写明核查经过、查明的事实和证据"),
        "investigation_file": document("调查材料", required=False),
        "proposed_outcome": choice("建议办理结果", _outcomes()),
    }, name="ComplaintInvestigation")()


def _file_on_case(ctx, data: dict) -> dict:
    doc = db.session.get(Document, data.get("investigation_file")) if data.get("investigation_file") else None
    if data.get("investigation_file") is not None and (doc is None or doc.case_id != ctx.case.id):
        return {"investigation_file": ["请上传本案件的调查材料"]}
    return {}


register_form(FormSpec(key="complaint_investigation", title="调查核实投诉举报", schema=investigation_schema,
                       validate=_file_on_case, submission=complaint_panel))


def decision_schema(settings) -> Schema:
    grounds = list(settings["CITY_POLICY"].interview_grounds)
    ground_choices = [(g["code"], f"{g['title']}（{labels.cite(g['source'])}）") for g in grounds]
    return Schema.from_dict({
        "outcome_code": choice("办理结果", _outcomes()),
        "interview_ground": fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
            [g["code"] for g in grounds]), metadata=meta("约谈情形", widget="select", help="约谈时选择",
                                                         choices=ground_choices)),
        "referred_to": text("转交部门", required=False, max_len=128, help="转交有关部门时必须填写"),
        "agency_notice": text("告知机构的反映事项", required=False, max_len=2000, widget="textarea",
                              help="仅写反映的问题，不得包含投诉举报人姓名、联系方式等信息；不属实、约谈、移送时必须填写"),
        "reply": text("答复投诉举报人", max_len=2000, widget="textarea", help="投诉举报人凭受理编号可见"),
    }, name="ComplaintDecision")()


def validate_decision(ctx, data: dict) -> dict:
    code, errors = data.get("outcome_code"), {}
    if code == "referred_elsewhere" and not (data.get("referred_to") or "").strip():
        errors["referred_to"] = ["转交有关部门时必须填写"]
    if code == "interview" and not data.get("interview_ground"):
        errors["interview_ground"] = ["约谈时请选择约谈情形"]
    if code != "referred_elsewhere" and not (data.get("agency_notice") or "").strip():
        errors["agency_notice"] = ["请填写告知机构的反映事项"]
    complaint = complaint_of_case(ctx.case.id)
    for secret in filter(None, (complaint.name, complaint.contact) if complaint else ()):
        if secret in (data.get("agency_notice") or ""):
            errors["agency_notice"] = ["告知机构的内容不得包含投诉举报人的姓名或联系方式"]
    return errors


def prefill_decision(ctx, data: dict) -> dict:
    return {"outcome_code": data.get("proposed_outcome")}


register_form(FormSpec(key="complaint_decision", title="投诉举报办结答复", schema=decision_schema,
                       validate=validate_decision, prefill=prefill_decision, submission=complaint_panel))


# --- service tasks ------------------------------------------------------------------------------------------

@service("bind_complaint")
def bind_complaint(ctx, data: dict) -> dict:
    """Route the case to the agency's county for investigation; the case stays the bureau's (not the agency's)."""
    agency = db.session.get(Agency, data.get("agency_id"))
    if agency is None:
        raise InvalidInput("被投诉举报机构不存在", {"agency_id": ["被投诉举报机构不存在"]})
    ctx.set_case(unit_code=agency.county_code, title=f"关于{agency.name}的投诉举报")
    complaint = complaint_of_case(ctx.case.id)
    complaint.agency_id, complaint.agency_named, complaint.status = agency.id, agency.name, "investigating"
    return {"agency_name": agency.name, "county_code": agency.county_code}


def _facts(data: dict) -> str:
    return f"投诉举报反映：{data.get('agency_notice', '')}\n调查核实情况：{data.get('findings', '')}"


@service("complaint_interview")
def complaint_interview(ctx, data: dict) -> dict:
    """A founded complaint leads to a warning interview (a linked case carrying the substance, never the filer)."""
    link = links.request_case("interview", agency_id=data["agency_id"], ground=data["interview_ground"],
                              origin_case_id=ctx.case.id, actor=ctx.actor,
                              variables={"referral_facts": _facts(data)})
    return {"link_id": link.id, "case_id": link.target_case_id}


@service("complaint_blacklist")
def complaint_blacklist(ctx, data: dict) -> dict:
    """A founded complaint referred to the listing process with the facts found."""
    link = links.request_case("blacklist", agency_id=data["agency_id"], ground="complaint_referral",
                              origin_case_id=ctx.case.id, actor=ctx.actor,
                              variables={"referral_facts": _facts(data)})
    return {"link_id": link.id, "case_id": link.target_case_id}


@service("close_complaint")
def close_complaint(ctx, data: dict) -> dict:
    """Record the outcome and the reply the complainant sees; tell the agency the substance only."""
    code = data.get("outcome_code") or "referred_elsewhere"
    complaint = complaint_of_case(ctx.case.id)
    complaint.status, complaint.outcome, complaint.replied_at = "closed", code, ctx.now
    complaint.reply = (data.get("reply") or data.get("triage_reply") or "").strip()
    complaint.referred_to = (data.get("referred_to") or "").strip() or None
    if complaint.agency_id and code != "referred_elsewhere":
        ids = db.session.execute(db.select(User.id).where(User.agency_id == complaint.agency_id)).scalars().all()
        label = policy().outcome_label(code)
        notify_users(ids, "complaint_closed", f"关于贵机构的投诉举报已办结：{label}。反映事项：{data['agency_notice']}",
                     dedupe_key=f"complaint_closed:{complaint.id}")
    return {"outcome": code, "founded": code in FOUNDED}
