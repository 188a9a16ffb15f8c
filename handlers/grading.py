"""分类等级评定 ([LY22] 三–六, 附件1–4): self-assessment, expert inspection, classification, 7-working-day publicity.

The scoring sheet is policy data (`policies/linyi/grading_sheet.yaml`), scored by `rules/scoring.py`; the grade
bands are the DMN table `bpmn/linyi_grade.dmn`. One case per participating agency; the round is in
`models/grading.py` and `workflows/grading.py`.
"""
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import User, db
from rules.policy import shipped_sheet

from . import FormSpec, ProcessInfo, register_form, register_process
from ._fields import meta, text

register_process(ProcessInfo(key="grading", title="分类等级评定", starter_roles=("city_official",),
                             dmn=("linyi_grade",), messages=("objection_received",)))
SHEET = "linyi/grading_sheet"


def sheet():
    return shipped_sheet(SHEET)


def finding_fields() -> list[tuple[str, object, object]]:
    """(field name, item, rule) for every finding an expert records, in sheet order."""
    out = []
    for item in sheet().items:
        if item.computed in ("exam_average", "satisfaction_average"):
            continue
        for n, rule in enumerate(item.rules):
            out.append((f"item_{item.code.replace('.', '_')}_{n}", item, rule))
    return out


class SelfAssessmentSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(min=1, max=20000), metadata=meta(
        "书面总结材料", widget="textarea", source="[LY22] 四(一)", help="本机构开展技术服务工作情况的书面总结"))
    self_score = fields.Float(required=True, validate=validate.Range(min=0, max=100), metadata=meta(
        "自评得分", help="按附件1检查表逐项自评后的合计分", source="[LY22] 附件1"))
    statutory_projects = fields.String(load_default="", metadata=meta(
        "附件2 法定评价项目和报告清单", widget="annex2", source="[LY22] 四(一)、附件2",
        help="应报尽报，不得漏报、瞒报；每行一项，各列以制表符分隔，可下载模板填写后导入"))
    hazard_list = fields.String(load_default="", metadata=meta(
        "附件3 企业隐患排查清单", widget="annex3", source="[LY22] 四(一)、附件3",
        help="每行一项，各列以制表符分隔，可下载模板填写后导入"))


def validate_self_assessment(ctx, data: dict) -> dict:
    """The annex rows: required cells and dates, reported by row."""
    from rules.annex_tables import parse_rows
    errors = {}
    for field, annex in (("statutory_projects", "annex2"), ("hazard_list", "annex3")):
        _, problems = parse_rows(annex, data.get(field, ""))
        if problems:
            errors[field] = problems
    return errors


register_form(FormSpec(key="grading_self_assessment", title="自查自评", schema=lambda s: SelfAssessmentSchema(),
                       validate=validate_self_assessment,
                       instructions="请按《安全生产技术服务机构分类等级管理检查表》（附件1）自查自评，于自查自评截止日前提交；"
                                    "逾期未提交的，视为主动放弃（[LY22] 六(一)）。"))


def experts() -> list[tuple[int, str]]:
    rows = db.session.execute(select(User.id, User.display_name).where(User.role == "expert", User.active)
                              .order_by(User.id)).all()
    return [(i, n) for i, n in rows]


def panel_schema(settings) -> Schema:
    return Schema.from_dict({
        "panel": fields.List(fields.Integer(), required=True, validate=validate.Length(min=2, error="评估小组至少2名专家"),
                             metadata=meta("评估小组专家", widget="checkboxes", choices=experts(),
                                           source="[LY22] 四(二)")),
    }, name="GradingPanel")()


def validate_panel(ctx, data: dict) -> dict:
    """An expert who works for the agency being graded, or who is barred, cannot be chosen."""
    chosen = [db.session.get(User, i) for i in data.get("panel", [])]
    bad = [u.display_name for u in chosen if u is None or u.role != "expert" or not u.active
           or (u.agency_id is not None and u.agency_id == ctx.case.agency_id)]
    if bad:
        return {"panel": [f"以下人员不能担任本机构评估专家（非专家、已停用或在被评机构任职）：{'、'.join(bad)}"]}
    if len(set(data.get("panel", []))) != len(data.get("panel", [])):
        return {"panel": ["专家不能重复"]}
    return {}


register_form(FormSpec(key="grading_panel", title="组建评估小组", schema=panel_schema, validate=validate_panel,
                       shows=("grading_self_assessment",)))


def expert_schema(settings) -> Schema:
    """附件1 检查表 as a form: one field per finding rule of each item the experts score."""
    spec = {}
    for name, item, rule in finding_fields():
        label = f"{item.code} {item.label or item.title}：{rule.finding}"
        help_ = f"{rule.text}（{rule.source}）"
        if rule.type == "per_finding":
            spec[name] = fields.Integer(load_default=0, validate=validate.Range(min=0, max=999),
                                        metadata=meta(label + f"（每处扣{rule.points:g}分）", widget="number", help=help_))
        elif rule.type == "discretionary":
            spec[name] = fields.Float(load_default=0, validate=validate.Range(min=0, max=float(item.max)),
                                      metadata=meta(label, widget="number", help=help_))
        else:
            spec[name] = fields.Boolean(load_default=False, metadata=meta(label, widget="checkbox", help=help_))
    vetoes = sheet().vetoes
    spec["veto"] = fields.String(load_default="", validate=validate.OneOf([""] + [v.code for v in vetoes]),
                                 metadata=meta("一票否决情形", widget="select",
                                               choices=[(v.code, v.text) for v in vetoes], source=sheet().raw["veto_source"]))
    spec["veto_evidence"] = text("一票否决证据", required=False, max_len=4000, widget="textarea")
    spec["expert_notes"] = text("评估意见", required=False, max_len=4000, widget="textarea")
    return Schema.from_dict(spec, name="ExpertScoring")()


def validate_expert(ctx, data: dict) -> dict:
    if data.get("veto") and not (data.get("veto_evidence") or "").strip():
        return {"veto_evidence": ["一票否决须附证据（[LY22] 三(六)2）"]}
    return {}


register_form(FormSpec(key="grading_expert_scoring", title="专家检查评估（附件1检查表）", schema=expert_schema,
                       validate=validate_expert, shows=("grading_self_assessment",)))


def _score_lines(value: str) -> list[float]:
    out = []
    for line in (value or "").replace("，", ",").replace("\n", ",").split(","):
        if line.strip():
            out.append(float(line.strip()))
    return out


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


register_form(FormSpec(key="grading_exam_roster", title="报送专业技术人员名单（抽考）", schema=lambda s: RosterSchema()))


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
    satisfaction = fields.String(required=True, metadata=meta(
        "满意度测评（附件4评议表得分）", widget="textarea", source="[LY22] 附件1 第20项；附件4",
        help="每份评议表一个0–10的合计分，每行或以逗号分隔"))
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
    try:
        forms = _score_lines(data.get("satisfaction", ""))
        if not forms or any(s < 0 or s > 10 for s in forms):
            errors["satisfaction"] = ["评议表得分应为0–10"]
    except ValueError:
        errors["satisfaction"] = ["评议表得分应为数字"]
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
                       validate=validate_exam, prefill=prefill_exam,
                       instructions="抽考人员由平台按不低于50%的比例随机抽取（[LY22] 附件1 第19项），抽取种子记入案件。"))


class ObjectionReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["dismiss", "uphold"]), metadata=meta(
        "处理意见", widget="radio", choices=[("dismiss", "异议不成立，维持评定结果"), ("uphold", "异议成立，重新检查评估")],
        source="[LY22] 四(三)"))
    reply = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                          metadata=meta("答复意见", widget="textarea", help="将答复异议人"))


register_form(FormSpec(key="grading_objection", title="处理公示异议", schema=lambda s: ObjectionReviewSchema()))
