"""Blacklist listing (严重失信主体名单 / 行业禁入): notice, 陈述申辩, review, decision, publication, expiry, repair.

Grounds: [JC] 第十八条; [WJ] 第十九条 (city policy data). National rules: a prior administrative penalty is
required (应急管理部令第11号 第三条); notice of reasons, basis and rights before listing (国办发〔2020〕49号(八));
period 3 years and early removal after 12 months (Shanxi rules, domain.md §3.1 — settings, not code).
"""
from datetime import date

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import Agency, Document, Listing, db
from workflows import clock, sanctions  # noqa: F401 - registers the listed-agency guard at every door
from workflows.clock import SHANGHAI
from workflows.validity import cites_only_lapsed, warning_panel

from . import FormSpec, ProcessInfo, register_form, register_process
from ._fields import choice, document, meta, text
from .interview import registered_agencies

register_process(ProcessInfo(key="blacklist", title="列入严重失信主体名单", starter_roles=("city_official",)))


def _policy(settings):
    return settings["CITY_POLICY"]


def investigation_schema(settings) -> Schema:
    """Facts, grounds and the prior penalty decision; the 告知书 is generated from them."""
    policy = _policy(settings)
    rows = list(policy.blacklist_grounds)
    return Schema.from_dict({
        "agency_id": fields.Integer(required=True, metadata=meta("列入对象（机构）", widget="select",
                                                                 choices=registered_agencies())),
        "grounds": fields.List(fields.String(validate=validate.OneOf([g["code"] for g in rows])), required=True,
                               validate=validate.Length(min=1, error="至少选择一项列入情形"),
                               metadata=meta("列入情形", widget="checkboxes",
                                             choices=[(g["code"], _ground_label(policy, g)) for g in rows])),
        "facts": text("违法事实", max_len=4000, widget="textarea"),
        "reasons": text("列入理由", max_len=2000, widget="textarea"),
        "penalty_decision_no": fields.String(load_default="", metadata=meta(
            "行政处罚决定书文号", help="因违法行为受到行政处罚的，方可列入", source="应急管理部令第11号 第三条")),
        "penalty_decided_on": fields.Date(load_default=None, allow_none=True, metadata=meta(
            "行政处罚决定日期", widget="date")),
        "principal_name": fields.String(load_default="", metadata=meta(
            "同时禁入的主要负责人（如适用）", help=policy.blacklist.basis("legal_basis"))),
        "contact_name": text("联系人", max_len=64),
        "contact_phone": text("联系电话", max_len=32),
    }, name="BlacklistInvestigation")()


def _ground_label(policy, ground: dict) -> str:
    lapsed = ""
    if cites_only_lapsed(policy, ground["source"], clock.today()):
        lapsed = "；该文件已过有效期，" + ("按国家规定的同一情形列入" if ground.get("national") else "不得作为现行依据")
    return f"{ground['title']}（{ground['source']}{lapsed}）"


def ground_errors(policy, agency: Agency | None, codes: list[str], today: date) -> list[str]:
    """Grounds must rest on a document in force ([JC] 第二十二条) and reach the agency's kind of service
    ([JC] 第十八条; 应急管理部令第11号 第二条: 安全评价、认证、检测、检验)."""
    errors = []
    categories = set(agency.service_categories or ()) if agency is not None else None
    for ground in (g for g in policy.blacklist_grounds if g["code"] in codes):
        if cites_only_lapsed(policy, ground["source"], today) and not ground.get("national"):
            errors.append(f"“{ground['title']}”（{policy.cite(ground['source'])}）所依据的文件已过有效期，"
                          "不得作为现行依据；请选择国家规定的列入情形（应急管理部令第11号）")
        scope = set(ground.get("applies_to") or ())
        if categories is not None and scope and not categories & scope:
            errors.append(f"“{ground['title']}”（{policy.cite(ground['source'])}）仅适用于从事"
                          f"{'、'.join(ground.get('applies_to'))}业务的机构，该机构登记的业务类型为"
                          f"{'、'.join(agency.service_categories or ()) or '（无）'}，不得依此情形列入")
    return errors


def validate_investigation(ctx, data: dict) -> dict:
    """A listing needs a prior penalty decision (number and date) where the rules require one."""
    errors: dict[str, list[str]] = {}
    policy = _policy(ctx.settings)
    if policy.blacklist.requires_penalty_decision:
        if not (data.get("penalty_decision_no") or "").strip():
            errors["penalty_decision_no"] = ["未受到行政处罚的，不得列入严重失信主体名单（应急管理部令第11号 第三条）"]
        if not data.get("penalty_decided_on"):
            errors["penalty_decided_on"] = ["请填写行政处罚决定日期"]
    decided = data.get("penalty_decided_on")
    if decided and decided > ctx.now.astimezone(SHANGHAI).date():
        errors["penalty_decided_on"] = ["行政处罚决定日期不能晚于今天"]
    agency = db.session.get(Agency, data["agency_id"]) if data.get("agency_id") else None
    if data.get("agency_id") is not None and agency is None:
        errors["agency_id"] = ["机构不存在"]
    if (wrong := ground_errors(policy, agency, data.get("grounds") or [], ctx.now.astimezone(SHANGHAI).date())):
        errors["grounds"] = wrong
    return errors


def with_validity(panels):
    """A form's submission panels headed by the lapsed-document warning ([JC] 第二十二条)."""
    def hook(ctx, data: dict) -> list[dict]:
        return warning_panel(_policy(ctx.settings), clock.today()) + (panels(ctx, data) if panels else [])
    return hook


def prefill_investigation(ctx, data: dict) -> dict:
    return {"agency_id": data.get("agency_id"), "facts": data.get("referral_facts") or ""}


register_form(FormSpec(key="blacklist_investigation", title="调查取证与列入告知", schema=investigation_schema,
                       validate=validate_investigation, prefill=prefill_investigation))


class NoticeApprovalSchema(Schema):
    notice_decision = choice("审批意见", [("approve", "同意送达告知书"), ("return", "退回承办人修改")])
    notice_opinion = fields.String(load_default="", metadata=meta("审批说明", widget="textarea", help="退回时必须填写"))


def _validate_notice_approval(ctx, data: dict) -> dict:
    if data.get("notice_decision") == "return" and not (data.get("notice_opinion") or "").strip():
        return {"notice_opinion": ["退回时请写明修改意见"]}
    return {}


def notice_preview(ctx, data: dict) -> list[dict]:
    """The 告知书 exactly as it will be served if approved now (the 陈述申辩 period counts from service)."""
    from ._previews import document_panel
    from .blacklist_services import notice_document
    return document_panel("待送达的列入告知书（预览）", notice_document, ctx, data,
                          "同意后即以此内容制发并送达当事机构；陈述申辩期限自送达之日起算。")


register_form(FormSpec(key="blacklist_notice_approval", title="审批列入告知书", schema=lambda s: NoticeApprovalSchema(),
                       validate=_validate_notice_approval, submission=with_validity(notice_preview),
                       shows=("blacklist_investigation",),
                       instructions="告知书经审批同意后方可送达（国办发〔2020〕49号(八)：列入前告知理由、依据和救济途径）。"))


class DefenceSchema(Schema):
    statement = fields.String(required=True, validate=validate.Length(min=1, max=8000),
                              metadata=meta("陈述申辩意见", widget="textarea"))
    evidence = document("证据材料", required=False)


register_form(FormSpec(key="blacklist_defence", title="陈述申辩", schema=lambda s: DefenceSchema(),
                       shows=("blacklist_investigation",)))


def _opinion_needed(ctx, data: dict) -> dict:
    negative = {"no_list", "refuse", "revoke"}
    if data.get("decision") in negative and not (data.get("opinion") or "").strip():
        return {"opinion": ["请填写理由"]}
    return {}


class ReviewSchema(Schema):
    decision = choice("复核意见", [("list", "建议列入"), ("no_list", "建议不予列入")])
    opinion = text("复核意见说明", required=False, max_len=4000, widget="textarea")


def defence_submission(ctx, data: dict) -> list[dict]:
    """The agency's 陈述申辩 in full, with its evidence, for whoever reviews or decides on it."""
    statement = data.get("statement") or "当事人在规定期限内未提出陈述申辩"
    doc = db.session.get(Document, data.get("evidence")) if data.get("evidence") else None
    return [{"title": "当事机构的陈述申辩", "rows": [("陈述申辩意见", statement)], "documents": [doc] if doc else []}]


register_form(FormSpec(key="blacklist_review", title="复核陈述申辩", schema=lambda s: ReviewSchema(),
                       validate=_opinion_needed, shows=("blacklist_investigation",),
                       submission=with_validity(defence_submission)))


class DecisionSchema(Schema):
    decision = choice("决定", [("list", "列入"), ("no_list", "不予列入")])
    decision_no = fields.String(load_default="", metadata=meta("列入决定书文号"))
    opinion = text("决定说明", required=False, max_len=4000, widget="textarea")


def _validate_decision(ctx, data: dict) -> dict:
    errors = _opinion_needed(ctx, data)
    if data.get("decision") == "list" and not (data.get("decision_no") or "").strip():
        errors["decision_no"] = ["列入时须填写列入决定书文号"]
    return errors


register_form(FormSpec(key="blacklist_decision", title="列入决定", schema=lambda s: DecisionSchema(),
                       validate=_validate_decision, shows=("blacklist_investigation", "blacklist_review"),
                       submission=with_validity(defence_submission)))


class RepairSchema(Schema):
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=8000),
                            metadata=meta("信用修复（提前移出）申请理由", widget="textarea"))
    evidence = document("整改及履行处罚的证明材料")


def validate_repair(ctx, data: dict) -> dict:
    """Early removal may be applied for only after the configured months (default 12, Shanxi rules)."""
    listing = db.session.execute(select(Listing).where(Listing.case_id == ctx.case.id)
                                 .order_by(Listing.id.desc())).scalars().first()
    months = _policy(ctx.settings).blacklist.early_removal_after_months
    errors: dict[str, list[str]] = {}
    if listing is not None and listing.ends_on is not None:
        allowed = _add_months(listing.listed_on, int(months))
        if ctx.now.astimezone(SHANGHAI).date() < allowed:
            errors["reasons"] = [(f"列入满{months}个月后方可申请提前移出（{allowed.isoformat()}起可申请）；依据："
                                 f"{_policy(ctx.settings).blacklist.basis('early_removal_after_months')}")]
    doc = db.session.get(Document, data.get("evidence")) if data.get("evidence") else None
    if data.get("evidence") is not None and (doc is None or doc.case_id != ctx.case.id):
        errors["evidence"] = ["请上传本案件的证明材料"]
    return errors


register_form(FormSpec(key="repair_application", title="申请信用修复（提前移出）", schema=lambda s: RepairSchema(),
                       validate=validate_repair))


class RepairReviewSchema(Schema):
    decision = choice("意见", [("grant", "同意移出"), ("refuse", "不同意")])
    opinion = text("说明", required=False, max_len=4000, widget="textarea")


register_form(FormSpec(key="repair_review", title="审查信用修复申请", schema=lambda s: RepairReviewSchema(),
                       validate=_opinion_needed, shows=("repair_application",)))
register_form(FormSpec(key="repair_decision", title="信用修复决定", schema=lambda s: RepairReviewSchema(),
                       validate=_opinion_needed, shows=("repair_application", "repair_review")))


class VerificationSchema(Schema):
    decision = choice("核查结论", [("keep", "申请属实，维持移出"), ("revoke", "申请隐瞒真实情况或弄虚作假，撤销移出、恢复列入")])
    opinion = text("核查说明", required=False, max_len=4000, widget="textarea")


register_form(FormSpec(key="repair_verification", title="信用修复后核查", schema=lambda s: VerificationSchema(),
                       validate=_opinion_needed, shows=("repair_application",)))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
