"""Change of agency information (信息变更): the agency files, the county reviews, the directory keeps history.

Sources: [WJ] 第十四条 (update within 10个工作日 of a change); [LY23] 第十四条第12项 (not applying for a change of
name, registered address or legal representative is prohibited). The period is `info_change.working_days` in
`policies/<city>/changes.yaml`, counted from the date of the change with the working-day calendar.
"""
from datetime import date

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import Agency, Document, InfoChange, db
from workflows import audit, labels
from workflows.clock import SHANGHAI
from workflows.info_changes import CHANGE_FIELDS, apply_change, judge_filing

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, document, meta, text

labels.register("action", {
    "info_change_filed": "申报信息变更", "info_change_decided": "审核信息变更", "dormancy_notified": "长期无业务注销告知",
    "dormancy_resumed": "恢复业务、注销告知失效", "agency_cancelled_dormant": "长期无业务注销账号",
    "dormancy_objected": "对注销告知提出异议", "dormancy_reversed": "撤销注销", "practice_notice_filed": "报送执业告知",
    "public_list_published": "发布机构名单"})
labels.register("outcome", {"change_approved": "已核准变更", "change_approved_late": "已核准变更（逾期申报）",
                            "change_rejected": "不予变更"})
labels.register("document_kind", {"change_evidence": "变更证明材料"})
register_process(ProcessInfo(key="info_change", title="机构信息变更", starter_roles=("agency",)))
SRC = "[WJ] 第十四条；[LY23] 第十四条第12项"


class ChangeSchema(Schema):
    """The date of the change, the changed fields (blank = unchanged), the reason and the evidence."""

    changed_on = fields.Date(required=True, metadata=meta("变更发生日期", placeholder="2026-09-28", source=SRC,
                                                          help="如工商变更登记日期；自次日起计算10个工作日"))
    name = text("变更后的机构名称", required=False, help="不变更的项目请留空", source=SRC)
    address = text("变更后的办公地址", required=False, max_len=300, source=SRC)
    legal_representative = text("变更后的法定代表人", required=False, max_len=64, source=SRC)
    business_scope = text("变更后的业务范围", required=False, max_len=2000, widget="textarea")
    staff_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100000),
                                 metadata=meta("变更后的从业人员数量"))
    contact_person = text("变更后的联系人", required=False, max_len=64)
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", error="请填写11位手机号或带区号的固定电话"), metadata=meta("变更后的联系电话"))
    reason = text("变更事由", max_len=1000, widget="textarea")
    change_evidence = document("变更证明材料（营业执照、任命文件等）", source=SRC)


def changed_values(agency: Agency, data: dict) -> dict:
    """The fields whose new value differs from the agency's current one."""
    out = {}
    for key in CHANGE_FIELDS:
        value = data.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "") and value != getattr(agency, key):
            out[key] = value
    return out


def validate_change(ctx, data: dict) -> dict:
    """At least one field changed, the date not in the future, the evidence uploaded to this case."""
    if ctx.case.agency_id is None:
        return {"changed_on": ["您的账号尚未关联已登记建档的机构，不能申请变更"]}
    errors = {}
    changed_on = data.get("changed_on")
    if changed_on is not None and changed_on > ctx.now.astimezone(SHANGHAI).date():
        errors["changed_on"] = ["变更发生日期不能晚于今天"]
    if not changed_values(db.session.get(Agency, ctx.case.agency_id), data):
        errors["name"] = ["请至少填写一项与现有登记信息不同的变更内容"]
    doc = db.session.get(Document, data.get("change_evidence")) if data.get("change_evidence") else None
    if doc is None or doc.case_id != ctx.case.id or doc.kind != "change_evidence":
        errors["change_evidence"] = ["请选择本案件上传的变更证明材料"]
    return errors


register_form(FormSpec(key="info_change", title="申请机构信息变更", schema=lambda s: ChangeSchema(),
                       validate=validate_change,
                       instructions="信息发生变化的，应在变更之日起10个工作日内申请更新（[WJ] 第十四条）；"
                                    "只填写有变化的项目，并先上传证明材料。"))


class ReviewSchema(Schema):
    """The county's decision on the change."""

    change_decision = choice("审核意见", [("approve", "同意变更"), ("reject", "不予变更")], source=SRC)
    change_opinion = fields.String(load_default="", validate=validate.Length(max=2000),
                                   metadata=meta("审核说明", widget="textarea", help="不予变更时必须填写理由"))


def validate_review(ctx, data: dict) -> dict:
    """A refusal needs its reason."""
    if data.get("change_decision") == "reject" and not (data.get("change_opinion") or "").strip():
        return {"change_opinion": ["不予变更时必须填写理由"]}
    return {}


def review_submission(ctx, task_data: dict) -> list[dict]:
    """What is reviewed: each changed field with its current and new value, the filing period."""
    change = _change(ctx)
    agency = db.session.get(Agency, change.agency_id)
    rows = [(CHANGE_FIELDS[k], f"{getattr(agency, k)} → {v}") for k, v in change.changes.items()]
    period = "逾期申报" if change.filed_late else "按期申报"
    rows.append(("申报期限", f"{period}：变更发生后第 {change.working_days_taken} 个工作日申报；{change.due_note}"))
    rows.append(("变更事由", change.reason))
    return [{"title": "变更内容", "rows": rows, "documents": []}]


register_form(FormSpec(key="info_change_review", title="审核机构信息变更", schema=lambda s: ReviewSchema(),
                       validate=validate_review, submission=review_submission, shows=("info_change",)))


def _change(ctx) -> InfoChange:
    return db.session.execute(select(InfoChange).where(InfoChange.case_id == ctx.case.id)).scalar_one()


@service("record_info_change")
def record_info_change(ctx, data: dict) -> dict:
    """Record the filing and judge it against the period (late filings flagged with the count of days)."""
    agency = db.session.get(Agency, ctx.case.agency_id)
    changed_on, filed_on = date.fromisoformat(data["changed_on"]), ctx.now.astimezone(SHANGHAI).date()
    judged = judge_filing(changed_on, filed_on)
    change = InfoChange(case_id=ctx.case.id, agency_id=agency.id, changed_on=changed_on, filed_on=filed_on,
                        due_on=judged["due_on"], due_note=judged["note"], working_days_taken=judged["taken"],
                        filed_late=judged["late"], changes=changed_values(agency, data), reason=data["reason"])
    db.session.add(change)
    db.session.flush()
    ctx.set_case(unit_code=agency.county_code, credit_code=agency.credit_code, title=f"{agency.name} 信息变更")
    audit.record("info_change_filed", actor=ctx.actor, case_id=ctx.case.id, detail={
        "change_id": change.id, "changed_on": changed_on, "filed_on": filed_on, "late": judged["late"],
        "working_days_taken": judged["taken"], "due_on": judged["due_on"], "fields": sorted(change.changes)})
    return {"change_id": change.id, "filed_late": judged["late"], "working_days_taken": judged["taken"]}


@service("decide_info_change")
def decide_info_change(ctx, data: dict) -> dict:
    """Apply an approved change to the agency (old values kept as history) or record the refusal."""
    change = _change(ctx)
    change.decided_on = ctx.now.astimezone(SHANGHAI).date()
    change.decision_note = data.get("change_opinion", "")
    if data["change_decision"] == "approve":
        change.old_values = apply_change(change)
        change.status = "approved"
    else:
        change.status = "rejected"
    audit.record("info_change_decided", actor=ctx.actor, case_id=ctx.case.id, detail={
        "change_id": change.id, "decision": change.status, "old": change.old_values, "new": change.changes})
    return {"status": change.status}
