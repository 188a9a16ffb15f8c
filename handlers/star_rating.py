"""星级评定 ([JX] 星级评定, 附录A 表A): the same three phases as 临沂 grading, scored with 表A, every two years.

The sheet is `policies/jiaxing/star_sheet.yaml`; the stars come from the DMN `bpmn/jiaxing_star.dmn`, whose bands
are platform defaults labelled as not from the standard (domain.md §P7 GAP), as is the 7-working-day publicity.
No 附件2/3 lists and no staff exam; 表A 第4项 (uploads to the 综合监管平台) and 第2项 (专职人员) show the
platform's own data to the experts (`workflows/grading_facts.py`). Services are shared with `grading`.
"""
from marshmallow import Schema

from . import FormSpec, ProcessInfo, register_form, register_process
from ._grading_forms import (
    consensus_schema,
    expert_checks,
    expert_schema,
    satisfaction_errors,
    satisfaction_field,
    self_assessment_schema,
)
from ._grading_tables import panel_table, score_breakdown, self_table
from .grading import consensus_prefill, expert_prefill, objection_schema, objection_submission

SHEET = "jiaxing/star_sheet"
register_process(ProcessInfo(key="star_rating", title="星级评定", starter_roles=("city_official",), start_via="round",
                             dmn=("jiaxing_star",), messages=("objection_received",),
                             extra={"case_tables": score_breakdown(SHEET)}))

register_form(FormSpec(key="star_rating_self_assessment", title="自查自评（表A逐项自评）",
                       schema=lambda s: self_assessment_schema(SHEET, annexes=False),
                       instructions="请按《安全生产技术服务机构星级评定表》（[JX] 附录A 表A）逐项自评并说明依据；"
                                    "满意度测评由应急管理部门组织，不在自评之列。逾期未提交的，视为放弃本次星级评定"
                                    "（默认值，非标准规定，沿用 domain.md §8）。"))
register_form(FormSpec(key="star_rating_expert_scoring", title="专家检查评估（表A）",
                       schema=lambda s: expert_schema(SHEET), validate=expert_checks(SHEET),
                       prefill=expert_prefill(SHEET), prefill_wins=True, tables=self_table(SHEET),
                       instructions="逐项记录检查发现，平台按表A扣分规则计算得分。第2项按平台登记的专职人员数预先勾选、"
                                    "第4项显示平台上传记录（[JX] 表A 第4项），请现场核实。"))
register_form(FormSpec(key="star_rating_consensus", title="评估小组合议（组长录入合议分）",
                       schema=lambda s: consensus_schema(SHEET), prefill=consensus_prefill(SHEET), prefill_wins=True,
                       tables=panel_table(SHEET)))


def satisfaction_schema(settings) -> Schema:
    return Schema.from_dict({"satisfaction": satisfaction_field("[JX] 表A 第25项", SHEET)}, name="StarSatisfaction")()


register_form(FormSpec(key="star_rating_satisfaction", title="满意度测评（表A 第25项）", schema=satisfaction_schema,
                       validate=lambda ctx, data: satisfaction_errors(SHEET, data), tables=panel_table(SHEET),
                       instructions="由县、镇级应急管理部门和委托单位进行测评，取平均分（[JX] 表A 第25项）。"))
register_form(FormSpec(key="star_rating_objection", title="处理公示异议",
                       schema=lambda s: objection_schema("默认值，非标准规定（[JX] 未规定异议程序）"),
                       submission=objection_submission))
