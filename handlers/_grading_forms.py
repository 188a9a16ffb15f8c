"""Form factories shared by the grading processes of every city (临沂 `grading`, 嘉兴 `star_rating`).

Each factory takes a scoring sheet name (`policies/<city>/<sheet>.yaml`, read by `rules/policy.py`) so that the
fields follow the sheet: one self-assessment score per item, one finding per deduction rule, one agreed score
per item in consensus mode. Field names are derived from item codes (`1.2` → `1_2`).
"""
from marshmallow import Schema, fields, validate

from rules.policy import shipped_sheet

from ._fields import document, meta, text

MEASURED = ("exam_average", "satisfaction_average")  # scored from the exam and the 评议表, not by the experts


def slug(code: str) -> str:
    return code.replace(".", "_")


def number(value) -> int | float:
    """A sheet maximum as the form shows it (5, not 5.0; 2.5 stays 2.5)."""
    return int(value) if value == int(value) else float(value)


def expert_items(sheet_name: str) -> list:
    """The items the experts score from findings (everything but the exam and the satisfaction survey)."""
    return [it for it in shipped_sheet(sheet_name).items if it.computed not in MEASURED]


def finding_fields(sheet_name: str) -> list[tuple[str, object, object]]:
    """(field name, item, rule) for every finding an expert records, in sheet order."""
    return [(f"item_{slug(item.code)}_{n}", item, rule)
            for item in expert_items(sheet_name) for n, rule in enumerate(item.rules)]


def self_assessment_schema(sheet_name: str, annexes: bool) -> Schema:
    """书面总结 plus the agency's own score and evidence note for every item it can assess."""
    sheet = shipped_sheet(sheet_name)
    spec = {"summary": fields.String(required=True, validate=validate.Length(min=1, max=20000), metadata=meta(
        "书面总结材料", widget="textarea", source=sheet.raw["scheme"].get("summary_source", sheet.source),
        help="本机构开展技术服务工作情况的书面总结"))}
    for item in expert_items(sheet_name):
        label = f"第{item.seq}项 {item.label or item.title}（满分{item.max:g}）"
        spec[f"self_{slug(item.code)}"] = fields.Float(
            required=True, validate=validate.Range(min=0, max=number(item.max)),
            metadata=meta(f"{label} 自评得分", widget="number", help=item.text, source=item.source))
        spec[f"self_note_{slug(item.code)}"] = text(f"{label} 自评说明与佐证", required=False, max_len=2000,
                                                     help="扣分情形、整改情况或佐证材料名称（选填）")
    spec["self_evidence"] = document("自评佐证材料", required=False, help="PDF/JPEG/PNG，不超过20MB")
    if annexes:
        spec["statutory_projects"] = fields.String(load_default="", metadata=meta(
            "附件2 法定评价项目和报告清单", widget="annex2", source="[LY22] 四(一)、附件2",
            help="应报尽报，不得漏报、瞒报；每行一项，各列以制表符分隔，可下载模板填写后导入"))
        spec["hazard_list"] = fields.String(load_default="", metadata=meta(
            "附件3 企业隐患排查清单", widget="annex3", source="[LY22] 四(一)、附件3",
            help="每行一项，各列以制表符分隔，可下载模板填写后导入"))
    return Schema.from_dict(spec, name="SelfAssessment")()


def self_scores(sheet_name: str, data: dict) -> dict:
    """The agency's item scores as submitted, and their total."""
    items = {it.code: data.get(f"self_{slug(it.code)}") for it in expert_items(sheet_name)}
    return {"items": items, "total": round(sum(v for v in items.values() if v is not None), 2)}


def expert_schema(sheet_name: str) -> Schema:
    """The sheet as an expert's form: one field per finding rule, and the veto grounds where the sheet has them."""
    sheet = shipped_sheet(sheet_name)
    spec = {}
    for name, item, rule in finding_fields(sheet_name):
        label = f"{item.code} {item.label or item.title}：{rule.finding}"
        help_ = f"{rule.text}（{rule.source}）"
        if rule.type == "per_finding":
            spec[name] = fields.Integer(load_default=0, validate=validate.Range(min=0, max=999),
                                        metadata=meta(label + f"（每处扣{rule.points:g}分）", widget="number", help=help_))
        elif rule.type == "discretionary":
            spec[name] = fields.Float(load_default=0, validate=validate.Range(min=0, max=number(rule.points)),
                                      metadata=meta(label, widget="number", help=help_))
        else:
            spec[name] = fields.Boolean(load_default=False, metadata=meta(label, widget="checkbox", help=help_))
    if sheet.vetoes:
        spec["veto"] = fields.String(load_default="", validate=validate.OneOf([""] + [v.code for v in sheet.vetoes]),
                                     metadata=meta("一票否决情形", widget="select", source=sheet.raw["veto_source"],
                                                   choices=[(v.code, v.text) for v in sheet.vetoes]))
        spec["veto_evidence"] = text("一票否决证据", required=False, max_len=4000, widget="textarea")
    spec["expert_notes"] = text("评估意见", required=False, max_len=4000, widget="textarea")
    return Schema.from_dict(spec, name="ExpertScoring")()


def expert_checks(sheet_name: str):
    """A chosen veto ground needs evidence (citing the sheet's own veto source)."""
    def validate(ctx, data: dict) -> dict:
        if data.get("veto") and not (data.get("veto_evidence") or "").strip():
            return {"veto_evidence": [f"一票否决须附证据（{shipped_sheet(sheet_name).raw.get('veto_source', '')}）"]}
        return {}
    return validate


def consensus_schema(sheet_name: str) -> Schema:
    """The panel lead's agreed score per item (consensus mode), with the panel's minutes."""
    spec = {}
    for item in expert_items(sheet_name):
        spec[f"agreed_{slug(item.code)}"] = fields.Float(
            required=True, validate=validate.Range(min=0, max=number(item.max)),
            metadata=meta(f"第{item.seq}项 {item.label or item.title} 合议分（满分{item.max:g}）", widget="number",
                          source=item.source))
    spec["consensus_notes"] = text("合议意见", max_len=4000, widget="textarea",
                                   help="评估小组对分歧项目的讨论结论；将记入案件")
    return Schema.from_dict(spec, name="PanelConsensus")()


def satisfaction_field(source: str, sheet_name: str) -> fields.String:
    form_items = shipped_sheet(sheet_name).form_items
    per_item = (f"；或按评议表逐项打分，用“/”分隔（{'/'.join(f'{f.code}{f.max:g}' for f in form_items)}），"
                f"如 {'/'.join(f'{f.max:g}' for f in form_items)}" if form_items else "")
    return fields.String(required=True, metadata=meta(
        "满意度测评（评议表得分）", widget="textarea", source=source,
        help=f"每份评议表一个0–10的合计分，每行一份或以逗号分隔{per_item}"))


class SatisfactionInputError(ValueError):
    """A 评议表 line that is a number but does not fit the sheet's form (its message says why, in Chinese)."""


def satisfaction_forms(sheet_name: str, value: str) -> list:
    """The returned 评议表 as totals (0–10) or, written “2/2/1.5/2/2”, as per-item ratings {item: points}."""
    form_items = shipped_sheet(sheet_name).form_items
    out: list = []
    for chunk in (value or "").replace("，", ",").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "/" not in chunk:
            out.append(float(chunk))
            continue
        ratings = [float(x) for x in chunk.split("/")]
        if not form_items:
            raise SatisfactionInputError("本评分表没有分项评议表，请填写合计分")
        if len(ratings) != len(form_items):
            raise SatisfactionInputError(f"逐项打分应为{len(form_items)}项（{'、'.join(f.code for f in form_items)}）")
        if any(not 0 <= r <= float(f.max) for r, f in zip(ratings, form_items, strict=True)):
            raise SatisfactionInputError("逐项打分超出该项分值（" + "、".join(f"{f.code}{f.max:g}分" for f in form_items) + "）")
        out.append({f.code: r for f, r in zip(form_items, ratings, strict=True)})
    return out


def satisfaction_errors(sheet_name: str, data: dict) -> dict:
    try:
        forms = satisfaction_forms(sheet_name, data.get("satisfaction", ""))
    except SatisfactionInputError as err:
        return {"satisfaction": [str(err)]}
    except ValueError:
        return {"satisfaction": ["评议表得分应为数字"]}
    if not forms or any(not isinstance(f, dict) and not 0 <= f <= 10 for f in forms):
        return {"satisfaction": ["评议表得分应为0–10"]}
    return {}
