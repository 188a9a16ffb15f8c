"""Initial registration (初次登记建档): the agency's 情况表 and materials, the county review, the directory entry.

Sources: [JC] 第四、五、十条 and 附件1 (情况表 fields, materials); [WJ] 第十二–十四条, 附件1 报告函 (服务类别),
附件2 承诺书. The materials list and the commitment text are the deployment city's policy data.
"""
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select

from models import Agency, Case, Document, User, db
from rules.credit_code import credit_code_error
from workflows import audit
from workflows.calendar_service import deadline_json
from workflows.clock import SHANGHAI
from workflows.errors import Conflict

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, document, meta, text

register_process(ProcessInfo(key="registration", title="初次登记建档", starter_roles=("agency",)))

SERVICE_CATEGORIES = ["安全培训", "安全评估评价", "安全检测检验", "安全咨询托管", "安全标准化", "其他"]  # [WJ] 附件1
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CORRECTION_WORKING_DAYS = 10  # 退回补正 period; domain.md §8 counting rule


def materials(settings) -> list[dict]:
    """The city's registration materials: [{kind, title, required, when, source}]."""
    return list(settings["CITY_POLICY"].registration_materials)


def counties(settings) -> list[tuple[str, str]]:
    """(code, name) of the units that review registrations: the counties, or the district bureau itself (武进)."""
    return [(u["code"], u["name"]) for u in settings["CITY_POLICY"].review_units()]


def _valid_credit_code(value: str) -> None:
    if (msg := credit_code_error((value or "").upper())):
        raise ValidationError(msg)


def application_schema(settings) -> Schema:
    """The 情况表 ([JC] 附件1 / [WJ] 附件1) plus one document field per required material."""
    src = "[JC] 附件1；[WJ] 附件1"
    spec = {
        "name": text("单位名称", source=src),
        "credit_code": fields.String(required=True, validate=_valid_credit_code, metadata=meta(
            "统一社会信用代码", help="18位，按GB 32100-2015校验", source="GB 32100-2015")),
        "legal_representative": text("法定代表人", max_len=64, source=src),
        "contact_person": text("联系人", max_len=64, source=src),
        "contact_phone": fields.String(required=True, validate=validate.Regexp(
            r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", error="请填写11位手机号或带区号的固定电话"),
            metadata=meta("联系电话", source=src)),
        "email": fields.Email(required=True, metadata=meta("电子信箱", source=src)),
        "fax": text("传真", required=False, max_len=32, source="[JC] 附件1"),
        "address": text("单位地址", max_len=300, source=src),
        "county": choice("所在县（市、区）", counties(settings), widget="select",
                         help="登记由所在县级应急管理局审核", source="[JC] 第十条"),
        "staff_count": fields.Integer(required=True, validate=validate.Range(min=1, max=100000),
                                      metadata=meta("从业人数", help="从业人员须在本单位连续缴纳社保满3个月",
                                                    source="[JC] 第二条；[JC] 附件1")),
        "service_categories": fields.List(fields.String(validate=validate.OneOf(SERVICE_CATEGORIES)),
                                          required=True, validate=validate.Length(min=1, error="至少选择一项服务类别"),
                                          metadata=meta("服务类别", widget="checkboxes",
                                                        choices=[(c, c) for c in SERVICE_CATEGORIES],
                                                        source="[WJ] 附件1")),
        "business_scope": text("业务项目（业务范围）", max_len=2000, widget="textarea", source=src),
        "qualification_required": fields.Boolean(required=True, metadata=meta(
            "是否需要资质", widget="checkbox", help="安全评价、检测检验等法律法规要求资质的业务",
            source="[JC] 第四条；[WJ] 第十二条")),
    }
    for m in materials(settings):
        spec[m["kind"]] = document(m["title"], required=False, help=m.get("note", ""), source=m.get("source", ""))
    return Schema.from_dict(spec, name="RegistrationApplication")()


def validate_application(ctx, data: dict) -> dict:
    """Credit code (GB 32100), duplicates, and the materials the city requires."""
    errors: dict[str, list[str]] = {}
    code = (data.get("credit_code") or "").upper()
    data["credit_code"] = code
    from workflows.sanctions import active_listing, refusal
    if code and (listing := active_listing(credit_code=code)):
        errors["credit_code"] = [refusal(listing, "start:registration")]
    elif db.session.execute(select(Agency.id).where(Agency.credit_code == code, Agency.status == "registered")).first():
        errors["credit_code"] = ["该统一社会信用代码已登记建档，不能重复登记"]
    elif db.session.execute(select(Case.id).where(Case.credit_code == code, Case.status == "running",
                                                  Case.process_key == "registration", Case.id != ctx.case.id)).first():
        errors["credit_code"] = ["该统一社会信用代码已有正在办理的登记申请"]
    docs = {d.id: d for d in db.session.execute(select(Document).where(Document.case_id == ctx.case.id)).scalars()}
    for m in materials(ctx.settings):
        needed = m.get("required") is True or (m.get("when") and data.get(m["when"]))
        doc_id = data.get(m["kind"])
        if doc_id is None:
            if needed:
                errors[m["kind"]] = [f"请上传{m['title']}"]
        elif doc_id not in docs or docs[doc_id].kind != m["kind"]:
            errors[m["kind"]] = [f"所选文件不是本案件上传的{m['title']}"]
    return errors


register_form(FormSpec(
    key="registration_application", title="安全生产技术服务机构情况表", schema=application_schema,
    validate=validate_application,
    instructions="请如实填写情况表并上传登记材料；提交即视为对所填内容真实性作出承诺（[JC] 附件1）。"))
register_form(FormSpec(
    key="registration_correction", title="安全生产技术服务机构情况表（补正）", schema=application_schema,
    validate=validate_application, shows=("registration_review",),
    carry_over=("registration_application", "registration_correction"),
    instructions="请按审核意见修改情况表或补充材料，并在补正期限内提交；逾期未补正的，视为撤回申请。"))

DECISIONS = [("approve", "同意登记建档"), ("return", "退回补正"), ("reject", "不予登记")]


class ReviewSchema(Schema):
    """County review of an application: approve, return for correction (退回补正) or reject."""

    decision = choice("审核意见", DECISIONS, source="[JC] 第十条；[WJ] 第十四条")
    opinion = fields.String(load_default="", validate=validate.Length(max=2000),
                            metadata=meta("审核说明", widget="textarea", help="退回补正或不予登记时必须填写理由"))


def validate_review(ctx, data: dict) -> dict:
    """Returning or rejecting needs a reason the agency can act on."""
    if data.get("decision") in ("return", "reject") and not (data.get("opinion") or "").strip():
        return {"opinion": ["退回补正或不予登记时必须填写审核说明"]}
    return {}


register_form(FormSpec(key="registration_review", title="登记材料审核", schema=lambda s: ReviewSchema(),
                       validate=validate_review, shows=("registration_application",)))


@service("route_registration")
def route_registration(ctx, data: dict) -> dict:
    """Route the case to the agency's county and name it after the agency."""
    ctx.set_case(unit_code=data["county"], credit_code=data["credit_code"], title=f"{data['name']} 初次登记建档")
    receipt = issue_receipt(ctx, data)
    return {"routed_to": data["county"], "receipt_document_id": receipt.id}


def issue_receipt(ctx, data: dict) -> Document:
    """登记回执: on each submission (first or after 补正) a .docx listing the materials received, stored with the
    case, hashed and audited ([JC] 第十条: the county receives the materials and reviews them)."""
    from rules.documents import render_docx
    from workflows.documents import add_generated_document
    policy = ctx.settings["CITY_POLICY"]
    earlier = db.session.execute(select(func.count(Document.id)).where(
        Document.case_id == ctx.case.id, Document.kind == "registration_receipt")).scalar_one()
    county = dict(counties(ctx.settings)).get(data["county"], "")
    rows = []
    for m in materials(ctx.settings):
        needed = m.get("required") is True or bool(m.get("when") and data.get(m["when"]))
        status = "已提交" if data.get(m["kind"]) is not None else ("未提交" if needed else "不适用")
        rows.append({"title": m["title"], "status": status, "citation": policy.cite(m.get("source") or "")})
    base = ctx.case.number or str(ctx.case.id)
    number = base if not earlier else f"{base}-{earlier + 1}"
    what = "补正材料" if earlier else "登记材料"
    content = render_docx("registration_receipt", {
        "bureau_name": policy.bureau_name, "receipt_number": number,
        "agency": {"name": data["name"], "credit_code": data["credit_code"]},
        "submitted_on": ctx.now, "materials": rows, "issued_on": ctx.now,
        "outcome": f"{what}已收到，由{county}应急管理局审核，审核结果将在本平台告知。"
                   "本回执仅证明材料已收到，不代表已登记建档。"})
    suffix = "（补正）" if earlier else ""
    return add_generated_document(ctx.case.id, kind="registration_receipt", content=content, content_type=DOCX,
                                  filename=f"登记回执{suffix}-{data['name']}.docx", actor=ctx.actor)


@service("correction_deadline")
def correction_deadline(ctx, data: dict, working_days: int = CORRECTION_WORKING_DAYS) -> dict:
    """The 退回补正 deadline: N working days, start day excluded (domain.md §8), as an absolute date."""
    return deadline_json(ctx.now, int(working_days))


@service("register_agency")
def register_agency(ctx, data: dict) -> dict:
    """建档: create the agency's directory entry and bind the applicant's account to it ([JC] 第十条)."""
    code = data["credit_code"]
    if db.session.execute(select(Agency.id).where(Agency.credit_code == code)).first():
        raise Conflict("该统一社会信用代码已登记建档")
    agency = Agency(
        name=data["name"], credit_code=code, legal_representative=data["legal_representative"],
        contact_person=data["contact_person"], contact_phone=data["contact_phone"], email=data["email"],
        fax=data.get("fax"), address=data["address"], county_code=data["county"], staff_count=data["staff_count"],
        service_categories=data["service_categories"], business_scope=data["business_scope"],
        qualification_required=data["qualification_required"], status="registered",
        registered_on=ctx.now.astimezone(SHANGHAI).date(),
        registration_case_id=ctx.case.id, created_at=ctx.now)
    db.session.add(agency)
    db.session.flush()
    applicant = db.session.get(User, ctx.case.started_by_id) if ctx.case.started_by_id else None
    if applicant is not None and applicant.role == "agency" and applicant.agency_id is None:
        applicant.agency_id = agency.id
    ctx.set_case(agency_id=agency.id)
    audit.record("agency_registered", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"agency_id": agency.id, "name": agency.name, "credit_code": code,
                         "registered_on": agency.registered_on.isoformat()})
    return {"agency_id": agency.id, "registered_on": agency.registered_on.isoformat()}

