"""Read-only tables the grading task pages show: the agency's self-assessment beside the platform's data, and
every expert's score per item with large disagreements flagged (setting `panel_disagreement_fraction`)."""
from models import User, db
from rules.policy import shipped_sheet
from workflows.grading_facts import agency_facts, rule_fact

from ._grading_forms import expert_items, slug


def _sheet_name(data: dict, default: str) -> str:
    return data.get("sheet") or default


def self_table(default_sheet: str):
    """For the experts: what the agency claimed per item, and what the platform knows."""
    def build(ctx, data: dict) -> list[dict]:
        name = _sheet_name(data, default_sheet)
        facts = agency_facts(ctx.case.agency_id) if ctx.case.agency_id else {}
        rows = []
        for item in expert_items(name):
            platform = "；".join(rule_fact(r, facts)[1] for r in item.rules if r.platform_fact)
            rows.append({"cells": [item.seq, item.label or item.title, f"{item.max:g}",
                                   data.get(f"self_{slug(item.code)}"), data.get(f"self_note_{slug(item.code)}") or "",
                                   platform], "flag": ""})
        total = (data.get("self_scores") or {}).get("total")
        return [{"title": "机构自评与平台数据", "columns": ["序号", "项目", "满分", "机构自评", "自评说明", "平台数据"],
                 "rows": rows, "note": f"机构自评合计 {total} 分（不含抽考、满意度测评）" if total is not None else ""}]
    return build


def panel_table(default_sheet: str):
    """Each expert's score per item, the panel mean, and the agency's own score; disagreements flagged."""
    def build(ctx, data: dict) -> list[dict]:
        result = data.get("panel_result")
        if not result:
            return []
        name = _sheet_name(data, default_sheet)
        sheet = shipped_sheet(name)
        users = {u.id: u.display_name for u in db.session.query(User).filter(User.id.in_(result["experts"]))}
        names = [users.get(i, f"专家{i}") for i in result["experts"]]
        rows = []
        for item in expert_items(name):
            row = result["items"][item.code]
            rows.append({"cells": [item.seq, item.label or item.title, f"{item.max:g}", *row["scores"], row["mean"],
                                   data.get(f"self_{slug(item.code)}")],
                         "flag": "分歧" if row["split"] else ""})
        fraction = float(sheet.settings["panel_disagreement_fraction"])
        mode = "合议（组长录入合议分）" if result["mode"] == "consensus" else "取各专家平均"
        note = (f"专家评分极差超过该项满分的{fraction:.0%}标记为分歧（{len(result['disagreements'])}项）；"
                f"评估小组得分方式：{mode}")
        return [{"title": "专家评分对照", "columns": ["序号", "项目", "满分", *names, "平均", "机构自评"],
                 "rows": rows, "note": note}]
    return build


def score_breakdown(default_sheet: str):
    """For the case page: every item's panel score and, per expert, the findings and rules it came from."""
    def build(ctx, data: dict) -> list[dict]:
        score, collected = data.get("score"), data.get("collected")
        if not score or not collected:
            return []
        sheet = shipped_sheet(_sheet_name(data, default_sheet))
        ids = [e["expert_id"] for e in collected["scores"]]
        users = {u.id: u.display_name for u in db.session.query(User).filter(User.id.in_(ids))}
        rows = []
        for item in sheet.items:
            if item.code in (score.get("measured") or {}):
                basis = [score["measured"][item.code]]
            else:
                basis = [f"{users.get(e['expert_id'], e['expert_id'])}：{e.get('explanations', {}).get(item.code, '')}"
                         for e in collected["scores"]]
            rows.append({"cells": [item.seq, item.label or item.title, f"{item.max:g}", score["items"].get(item.code),
                                   basis], "flag": "分歧" if item.code in score.get("disagreements", []) else ""})
        how = "评估小组合议分" if score.get("mode") == "consensus" else "各专家平均"
        extra = f"；加分 {score['bonus']}" if score.get("bonus") else ""
        vetoes = "；一票否决：" + "、".join(v["code"] for v in score["vetoes"]) if score.get("vetoes") else ""
        return [{"title": "评分明细", "columns": ["序号", "项目", "满分", "得分", "依据（发现与扣分规则）"], "rows": rows,
                 "note": f"基础分 {score['base']}{extra}，最终得分 {score['final_score']}（检查项目取{how}）{vetoes}"}]
    return build
