"""分类等级评定 ([LY22] 三–六, 附件1–4): self-assessment, expert inspection, classification, 7-working-day publicity.

The scoring sheet is policy data (`policies/linyi/grading_sheet.yaml`), scored by `rules/scoring.py`; the grade
bands are the DMN table `bpmn/linyi_grade.dmn`. One case per participating agency; the round is in
`models/grading.py` and `workflows/grading.py`.
"""
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import User, db
from rules.policy import shipped_sheet

from . import FormSpec, ProcessInfo, _grading_confirm, register_form, register_process  # noqa: F401
from ._fields import meta, text
from ._grading_forms import (
    consensus_schema,
    expert_checks,
    expert_items,
    expert_schema,
    finding_fields,
    satisfaction_errors,
    satisfaction_field,
    self_assessment_schema,
    slug,
)
from ._grading_tables import panel_table, score_breakdown, self_table

SHEET = "linyi/grading_sheet"
register_process(ProcessInfo(key="grading", title="分类等级评定", starter_roles=("city_official",), start_via="round",
                             dmn=("linyi_grade",), messages=("objection_received",),
                             extra={"case_tables": score_breakdown(SHEET)}))


def sheet(data: dict | None = None):
    """The scoring sheet of a grading case (its `sheet` variable; 临沂 附件1 for cases started before it existed)."""
    return shipped_sheet((data or {}).get("sheet") or SHEET)


def validate_self_assessment(ctx, data: dict) -> dict:
    """The annex rows: required cells and dates, reported by row."""
    from rules.annex_tables import parse_rows
    errors = {}
    for field, annex in (("statutory_projects", "annex2"), ("hazard_list", "annex3")):
        _, problems = parse_rows(annex, data.get(field, ""))
        if problems:
            errors[field] = problems
    return errors


register_form(FormSpec(key="grading_self_assessment", title="自查自评（附件1逐项自评）",
                       schema=lambda s: self_assessment_schema(SHEET, annexes=True),
                       validate=validate_self_assessment,
                       instructions="请按《安全生产技术服务机构分类等级管理检查表》（附件1）逐项自评并说明依据，于自查自评截止日前提交；"
                                    "技术人员抽考和满意度测评由监管部门组织，不在自评之列。逾期未提交的，视为主动放弃（[LY22] 六(一)）。"))


def experts() -> list[tuple[int, str]]:
    """The expert pool: active experts, less those barred after failing a staff exam ([LY22] 五、六(三))."""
    from workflows.grading import barred_experts
    barred = barred_experts()
    rows = db.session.execute(select(User.id, User.display_name).where(User.role == "expert", User.active)
                              .order_by(User.id)).all()
    return [(i, n) for i, n in rows if i not in barred]


def panel_schema(settings) -> Schema:
    """The panel (≥ 2 experts) and its lead, chosen explicitly."""
    pool = experts()
    return Schema.from_dict({
        "panel": fields.List(fields.Integer(), required=True, validate=validate.Length(min=2, error="评估小组至少2名专家"),
                             metadata=meta("评估小组专家", widget="checkboxes", choices=pool, source="[LY22] 四(二)")),
        "lead": fields.Integer(required=True, metadata=meta(
            "评估小组组长", widget="select", choices=pool, help="须为上面选中的专家之一；合议模式下由组长录入合议分")),
    }, name="GradingPanel")()


def validate_panel(ctx, data: dict) -> dict:
    """An expert who works for the agency being graded, or who failed a staff exam, cannot be chosen."""
    from workflows.grading import barred_experts
    barred = barred_experts()
    chosen = [db.session.get(User, i) for i in data.get("panel", [])]
    bad = [u.display_name if u else "（不存在）" for u in chosen if u is None or u.role != "expert" or not u.active
           or (u.agency_id is not None and u.agency_id == ctx.case.agency_id)]
    if bad:
        return {"panel": [f"以下人员不能担任本机构评估专家（非专家、已停用或在被评机构任职）：{'、'.join(bad)}"]}
    failed = [f"{u.display_name}（{barred[u.id]}）" for u in chosen if u.id in barred]
    if failed:
        return {"panel": [f"以下专家技术人员抽考不合格，不得进入专家库（[LY22] 五、六(三)）：{'、'.join(failed)}"]}
    if len(set(data.get("panel", []))) != len(data.get("panel", [])):
        return {"panel": ["专家不能重复"]}
    lead = data.get("lead")
    if lead is not None and lead not in data.get("panel", []):
        return {"lead": ["评估小组组长须为选中的评估专家之一"]}
    if lead is not None:  # the diagrams take the first member as the lead (assign_lead: panel[0])
        data["panel"] = [lead] + [i for i in data["panel"] if i != lead]
    return {}


register_form(FormSpec(key="grading_panel", title="组建评估小组", schema=panel_schema, validate=validate_panel,
                       tables=self_table(SHEET)))


def expert_prefill(sheet_name: str):
    """A clean sheet for each expert (never the previous expert's findings), with the platform's facts applied."""
    def prefill(ctx, data: dict) -> dict:
        from workflows.grading_facts import agency_facts, rule_fact
        facts = agency_facts(ctx.case.agency_id) if ctx.case.agency_id else {}
        out = {}
        for name, _item, rule in finding_fields(sheet_name):
            marked, _ = rule_fact(rule, facts) if rule.platform_fact else (None, "")
            out[name] = bool(marked) if rule.type in ("fixed", "zero_out") else 0
        out.update(veto="", veto_evidence="", expert_notes="")
        return out
    return prefill


def consensus_prefill(sheet_name: str):
    """The panel mean of every item, for the lead to confirm or change."""
    def prefill(ctx, data: dict) -> dict:
        items = (data.get("panel_result") or {}).get("items", {})
        out = {f"agreed_{slug(it.code)}": items.get(it.code, {}).get("mean") for it in expert_items(sheet_name)}
        out["consensus_notes"] = ""
        return out
    return prefill


register_form(FormSpec(key="grading_expert_scoring", title="专家检查评估（附件1检查表）",
                       schema=lambda s: expert_schema(SHEET), validate=expert_checks(SHEET),
                       prefill=expert_prefill(SHEET), prefill_wins=True, tables=self_table(SHEET),
                       instructions="逐项记录检查发现（次数或是否存在），平台按附件1的扣分规则计算各项得分；"
                                    "标有平台数据的项目已按平台登记资料预先勾选，请现场核实。"))
register_form(FormSpec(key="grading_consensus", title="评估小组合议（组长录入合议分）",
                       schema=lambda s: consensus_schema(SHEET), prefill=consensus_prefill(SHEET), prefill_wins=True,
                       tables=panel_table(SHEET),
                       instructions="合议模式（评分表设置 panel_mode: consensus）：对标记“分歧”的项目经小组讨论后录入合议分。"))


class RosterSchema(Schema):
    staff_roster = fields.String(required=True, validate=validate.Length(min=1, max=20000), metadata=meta(
        "专业技术人员名单", widget="textarea", source="[LY22] 附件1 第19项",
        help="每行一人（姓名）；平台按不低于50%的比例随机抽取，抽取种子留痕，可复核"))


def validate_roster(ctx, data: dict) -> dict:
    names = roster(data.get("staff_roster", ""))
    if len(set(names)) != len(names):
        return {"staff_roster": ["名单中有重复的姓名"]}
    return {} if names else {"staff_roster": ["请填写专业技术人员名单"]}


def roster(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


register_form(FormSpec(key="grading_exam_roster", title="报送专业技术人员名单（抽考）", schema=lambda s: RosterSchema(),
                       validate=validate_roster))


def exam_lines(text: str) -> dict[str, float]:
    """'姓名 分数' per line → {name: score}."""
    out = {}
    for line in (text or "").splitlines():
        if line.strip():
            name, _, score = line.strip().replace("：", " ").replace(":", " ").rpartition(" ")
            out[name.strip()] = float(score)
    return out


class ExamSchema(Schema):
    exam_scores = fields.String(required=True, metadata=meta(
        "抽考成绩（每行：姓名 分数）", widget="textarea", source="[LY22] 附件1 第19项",
        help="闭卷笔试成绩0–100，逐一填写抽中人员"))
    satisfaction = satisfaction_field("[LY22] 附件1 第20项；附件4", SHEET)
    bonus = fields.Float(load_default=0, validate=validate.Range(min=0, max=10), metadata=meta(
        "加分", source="[LY22] 三(六)1", help="工作业绩优越、业务有创新并得到认可的，累计不超过10分"))
    bonus_reason = text("加分理由", required=False, max_len=1000)


def validate_exam(ctx, data: dict, drawn: list[str] | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    drawn = drawn if drawn is not None else _drawn(ctx)
    try:
        scores = exam_lines(data.get("exam_scores", ""))
        if any(s < 0 or s > 100 for s in scores.values()):
            errors["exam_scores"] = ["成绩应为0–100"]
        elif drawn and sorted(scores) != sorted(drawn):
            errors["exam_scores"] = [f"请逐一填写抽中人员的成绩：{'、'.join(drawn)}"]
    except ValueError:
        errors["exam_scores"] = ["每行应为“姓名 分数”，分数为数字"]
    errors.update(satisfaction_errors(SHEET, data))
    if data.get("bonus") and not (data.get("bonus_reason") or "").strip():
        errors["bonus_reason"] = ["加分须写明理由"]
    return errors


def _drawn(ctx) -> list[str]:
    from workflows.engine import load_workflow, ready_user_tasks
    wf = load_workflow(ctx.case.workflow_json, ctx.case.process_version)
    tasks = [t for t in ready_user_tasks(wf) if t.task_spec.bpmn_id == "exam"]
    return list(tasks[0].data.get("sample", {}).get("drawn", [])) if tasks else []


def prefill_exam(ctx, data: dict) -> dict:
    """The drawn staff, one line each, ready for their scores."""
    drawn = (data.get("sample") or {}).get("drawn", [])
    return {"exam_scores": "\n".join(f"{name} " for name in drawn)} if drawn else {}


register_form(FormSpec(key="grading_exam", title="技术人员抽考与满意度测评", schema=lambda s: ExamSchema(),
                       validate=validate_exam, prefill=prefill_exam, tables=panel_table(SHEET),
                       instructions="抽考人员由平台按不低于50%的比例随机抽取（[LY22] 附件1 第19项），抽取种子记入案件。"))


def objection_schema(source: str) -> Schema:
    return Schema.from_dict({
        "decision": fields.String(required=True, validate=validate.OneOf(["dismiss", "uphold"]), metadata=meta(
            "处理意见", widget="radio", source=source,
            choices=[("dismiss", "异议不成立，维持评定结果"), ("uphold", "异议成立，重新检查评估")])),
        "reply": fields.String(required=True, validate=validate.Length(min=1, max=4000),
                               metadata=meta("答复意见", widget="textarea", help="将答复异议人")),
    }, name="ObjectionReview")()


def objection_submission(ctx, data: dict) -> list[dict]:
    """The objection in full for the official who decides it; an agency viewer never sees who filed it."""
    from models import Document, Objection
    from workflows.clock import SHANGHAI
    from workflows.privacy import hides_identity
    payload = data.get("objection") or {}
    obj = db.session.get(Objection, payload.get("objection_id")) if payload.get("objection_id") else None
    if obj is None:
        return [{"title": "异议内容", "rows": [("异议内容", payload.get("text", ""))]}]
    rows = [("异议内容", obj.text), ("提出时间", obj.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))]
    if not hides_identity(ctx.viewer):
        rows += [("异议人", obj.name or "匿名提出"), ("联系方式", obj.contact or "未留联系方式"),
                 ("受理编号", obj.tracking_code)]
    doc = db.session.get(Document, obj.document_id) if obj.document_id else None
    return [{"title": "异议内容（待处理）", "rows": rows, "documents": [doc] if doc else [],
             "note": "异议人身份、联系方式和证明材料仅监管部门可见。"}]


register_form(FormSpec(key="grading_objection", title="处理公示异议", schema=lambda s: objection_schema("[LY22] 四(三)"),
                       submission=objection_submission))
