"""Service-contract filing (服务合同报备): the agency files, the county acknowledges or queries, deliverables follow.

Sources: [WJ] 第十五条 and 附件3 (项目企业名称, 项目主要内容, 所在镇(街道), 签约时间, 完成时间, 服务价格(万元),
联系人及联系方式); [JX] 附录A 表A 第4项. The filing period is `contracts.filing_days` in supervision.yaml.
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import Agency, Document, ServiceContract, db
from workflows import audit
from workflows.clock import SHANGHAI
from workflows.contracts import filing_deadline, poor_grade_bar

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, document, meta, text
from .registration import SERVICE_CATEGORIES

register_process(ProcessInfo(key="contract_filing", title="服务合同报备", starter_roles=("agency",)))
SRC = "[WJ] 第十五条、附件3"


def filing_schema(settings) -> Schema:
    """The contract's particulars ([WJ] 附件3 columns) and its scan."""
    return Schema.from_dict({
        "client_name": text("项目企业名称（委托单位）", source=SRC),
        "town": text("项目所在镇（街道）", max_len=100, source=SRC),
        "content": text("项目主要内容（合同内容）", max_len=2000, widget="textarea", source=SRC),
        "service_type": choice("业务类型", [(c, c) for c in SERVICE_CATEGORIES], widget="select",
                               source="[WJ] 第十五条；附件1"),
        "signed_on": fields.Date(required=True, metadata=meta("签约日期", placeholder="2026-09-28", source=SRC)),
        "starts_on": fields.Date(required=True, metadata=meta("服务开始日期", placeholder="2026-10-08")),
        "ends_on": fields.Date(required=True, metadata=meta("合同截止（拟完成）日期", placeholder="2026-12-31",
                                                            source=SRC)),
        "price_wan": fields.Decimal(required=True, places=4, validate=validate.Range(min=0, max=100000),
                                    metadata=meta("服务价格（万元）", source=SRC)),
        "client_contact": text("项目企业联系人", max_len=64, source=SRC),
        "client_phone": fields.String(required=True, validate=validate.Regexp(
            r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", error="请填写11位手机号或带区号的固定电话"),
            metadata=meta("联系方式", source=SRC)),
        "service_contract": document("合同扫描件（PDF、JPEG、PNG）", source="[WJ] 第十五条"),
    }, name="ContractFiling")()


def _own_document(ctx, doc_id, kind: str, title: str) -> list[str]:
    doc = db.session.get(Document, doc_id) if doc_id else None
    if doc is None or doc.case_id != ctx.case.id or doc.kind != kind:
        return [f"请选择本案件上传的{title}"]
    return []


def validate_filing(ctx, data: dict) -> dict:
    """Dates in order, signing not in the future, the scan uploaded to this case."""
    errors = {}
    if ctx.case.agency_id is None:
        return {"client_name": ["您的账号尚未关联已登记建档的机构，不能报备合同"]}
    today = ctx.now.astimezone(SHANGHAI).date()
    if data["signed_on"] > today:
        errors["signed_on"] = ["签约日期不能晚于今天"]
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = ["合同截止日期不能早于服务开始日期"]
    if (msg := _own_document(ctx, data.get("service_contract"), "service_contract", "合同扫描件")):
        errors["service_contract"] = msg
    if (barred := poor_grade_bar(ctx.case.agency_id, data.get("service_type", ""), data.get("content", ""))):
        errors["service_type"] = [barred]
    return errors


register_form(FormSpec(key="contract_filing", title="服务合同报备", schema=filing_schema, validate=validate_filing,
                       instructions="签订服务合同后7日内报备并上传合同扫描件（[WJ] 第十五条）；请先上传扫描件再提交。"))


class AcknowledgeSchema(Schema):
    """The county acknowledges the filing, or asks the agency a question."""

    ack_decision = choice("确认意见", [("acknowledge", "确认报备"), ("query", "提出疑问")], source="[WJ] 第十五条")
    ack_opinion = fields.String(load_default="", validate=validate.Length(max=2000),
                                metadata=meta("说明", widget="textarea", help="提出疑问时必须填写"))


def validate_ack(ctx, data: dict) -> dict:
    """A question needs its text."""
    if data.get("ack_decision") == "query" and not (data.get("ack_opinion") or "").strip():
        return {"ack_opinion": ["提出疑问时必须填写说明"]}
    return {}


register_form(FormSpec(key="contract_acknowledge", title="确认合同报备", schema=lambda s: AcknowledgeSchema(),
                       validate=validate_ack, shows=("contract_filing", "contract_answer")))


class AnswerSchema(Schema):
    """The agency's answer to the county's question."""

    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata=meta("答复", widget="textarea"))


register_form(FormSpec(key="contract_answer", title="答复合同报备疑问", schema=lambda s: AnswerSchema(),
                       shows=("contract_acknowledge",)))


def deliverables_schema(settings) -> Schema:
    """The deliverables (报告、证明、证书) of the contract."""
    return Schema.from_dict({
        "deliverable": document("成果材料（报告、证明、证书等）", source="[WJ] 第十五条"),
        "deliverable_note": fields.String(load_default="", validate=validate.Length(max=500),
                                          metadata=meta("成果类型说明", placeholder="如：安全现状评价报告")),
    }, name="ContractDeliverables")()


def validate_deliverables(ctx, data: dict) -> dict:
    """The deliverable must be uploaded to this case."""
    msg = _own_document(ctx, data.get("deliverable"), "deliverable", "成果材料")
    return {"deliverable": msg} if msg else {}


register_form(FormSpec(key="contract_deliverables", title="上传成果材料", schema=deliverables_schema,
                       validate=validate_deliverables,
                       instructions="请在合同截止日期前上传技术服务成果材料（[WJ] 第十五条）。"))


def _contract(ctx) -> ServiceContract:
    return db.session.execute(select(ServiceContract).where(ServiceContract.case_id == ctx.case.id)).scalar_one()


@service("record_contract")
def record_contract(ctx, data: dict) -> dict:
    """Record the filing, judge it against the filing period, route the case to the agency's county."""
    agency = db.session.get(Agency, ctx.case.agency_id)
    signed_on, ends_on = date.fromisoformat(data["signed_on"]), date.fromisoformat(data["ends_on"])
    filed_on = ctx.now.astimezone(SHANGHAI).date()
    deadline = filing_deadline(signed_on)
    late = deadline is not None and filed_on > deadline.ends_on
    contract = ServiceContract(
        case_id=ctx.case.id, agency_id=agency.id, client_name=data["client_name"], town=data["town"],
        content=data["content"], service_type=data["service_type"], signed_on=signed_on,
        starts_on=date.fromisoformat(data["starts_on"]), ends_on=ends_on, price_wan=Decimal(str(data["price_wan"])),
        client_contact=data["client_contact"], client_phone=data["client_phone"],
        scan_document_id=data["service_contract"], filing_due_on=deadline.ends_on if deadline else None,
        filing_due_note=deadline.explanation if deadline else "本市未规定报备期限", filed_at=ctx.now,
        filed_on=filed_on, filed_late=late, status="filed")
    db.session.add(contract)
    db.session.flush()
    ctx.set_case(unit_code=agency.county_code, credit_code=agency.credit_code,
                 title=f"{agency.name} 服务合同报备：{data['client_name']}")
    audit.record("contract_filed", actor=ctx.actor, case_id=ctx.case.id, detail={
        "contract_id": contract.id, "signed_on": signed_on, "filed_on": filed_on, "late": late,
        "due_on": contract.filing_due_on, "explanation": contract.filing_due_note})
    return {"contract_id": contract.id, "filed_late": late, "ends_on": ends_on.isoformat(),
            "due_at": datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI).isoformat(), "provisional": False}


@service("acknowledge_contract")
def acknowledge_contract(ctx, data: dict) -> dict:
    """The county's acknowledgement, dated."""
    contract = _contract(ctx)
    contract.acknowledged_on = ctx.now.astimezone(SHANGHAI).date()
    audit.record("contract_acknowledged", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"contract_id": contract.id, "opinion": data.get("ack_opinion", "")})
    return {"acknowledged_on": contract.acknowledged_on.isoformat()}


@service("record_deliverables")
def record_deliverables(ctx, data: dict) -> dict:
    """Record the deliverables; late when uploaded after the contract's end date."""
    contract = _contract(ctx)
    contract.delivered_on = ctx.now.astimezone(SHANGHAI).date()
    contract.delivered_late = contract.delivered_on > contract.ends_on
    contract.deliverable_document_id, contract.status = data["deliverable"], "delivered"
    audit.record("contract_delivered", actor=ctx.actor, case_id=ctx.case.id, detail={
        "contract_id": contract.id, "delivered_on": contract.delivered_on, "late": contract.delivered_late})
    return {"late": contract.delivered_late}
