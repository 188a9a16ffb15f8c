"""Confirmations before a grading result leaves the bureau: what the publicity page and the final list will show.

Shared by `grading` (临沂) and `star_rating` (嘉兴): the official sees the exact line to be published and confirms
it, or sends the case back to inspection; nothing is public before (the entry stays out of publicity).
"""
from marshmallow import Schema, fields, validate

from models import GradingEntry, db

from . import FormSpec, register_form
from ._fields import choice, meta


class PublicityConfirmationSchema(Schema):
    publish_decision = choice("核对意见", [("publish", "核对无误，发布公示"), ("reinspect", "结果有误，退回重新检查评估")])
    publish_opinion = fields.String(load_default="", validate=validate.Length(max=2000), metadata=meta(
        "说明", widget="textarea", help="退回重新检查评估时必须写明理由"))


def _validate_publicity(ctx, data: dict) -> dict:
    if data.get("publish_decision") == "reinspect" and not (data.get("publish_opinion") or "").strip():
        return {"publish_opinion": ["退回重新检查评估时请写明理由"]}
    return {}


def _scheme(entry: GradingEntry) -> dict:
    from workflows.grading import scheme_notes
    return scheme_notes(entry.round.scheme)


def _exam_line(entry: GradingEntry) -> str:
    if not entry.exam_results:
        return "无"
    failed = set(entry.failed_staff or [])
    return "、".join(f"{n} {s:g}{'（不合格）' if n in failed else ''}" for n, s in entry.exam_results.items())


def publicity_preview(ctx, data: dict) -> list[dict]:
    """The publicity line exactly as the public page will show it once confirmed."""
    entry = db.session.get(GradingEntry, data.get("entry_id"))
    if entry is None:
        return []
    notes, score = _scheme(entry), data.get("score") or {}
    rows = [("机构名称", entry.agency.name), ("统一社会信用代码", entry.agency.credit_code),
            ("得分", f"{score.get('final_score')}"), (f"拟定{notes['grade_label']}", data.get("grade") or ""),
            ("技术人员抽考成绩（公开公示）", _exam_line(entry)), ("公示期", notes["publicity"] + "，自确认发布之日起算")]
    if score.get("vetoed"):
        rows.append(("一票否决", "是"))
    return [{"title": "将在公示页面发布的内容", "rows": rows,
             "note": "确认后即在公众网站公示，公众可在公示期内提出异议。"}]


register_form(FormSpec(key="grading_publicity_confirmation", title="核对并发布公示",
                       schema=lambda s: PublicityConfirmationSchema(), validate=_validate_publicity,
                       submission=publicity_preview))


class FinalConfirmationSchema(Schema):
    confirmed = fields.Boolean(required=True, validate=validate.Equal(True, error="请核对后勾选确认"),
                               metadata=meta("已核对，确认该结果列入最终结果", widget="checkbox"))


def final_preview(ctx, data: dict) -> list[dict]:
    """The agency's line on the round's final list (or that it is not listed), and what follows from the grade."""
    from workflows.grading import listed_grades
    entry = db.session.get(GradingEntry, data.get("entry_id"))
    if entry is None:
        return []
    notes = _scheme(entry)
    listed = entry.grade in listed_grades(entry.round.scheme)
    rows = [("机构名称", entry.agency.name), ("统一社会信用代码", entry.agency.credit_code),
            ("得分", f"{entry.final_score}"), (notes["grade_label"], entry.grade or ""),
            ("最终名单", "列入最终名单" if listed else f"不列入最终名单（{notes['final_list']}）")]
    return [{"title": "将列入最终结果的内容", "rows": rows,
             "note": "确认后等级确定；全部机构确定后，由市级监管部门公布最终名单。"}]


register_form(FormSpec(key="grading_final_confirmation", title="核对并确定最终结果",
                       schema=lambda s: FinalConfirmationSchema(), submission=final_preview))
