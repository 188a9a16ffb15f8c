"""Spot check (抽查检查): inspectors record the focus points of each drawn project, an official concludes.

Sources: [JC] 第十六条 (half-year draw ≥ 30%, report to the 市局, 四不两直), 第十九条 (four focus points, 评鉴依据),
第十七条 (警示约谈); [WJ] 第二十二、二十三条 (focus points, 成长值), 第二十四条(二); [LY22] 六(四) (事中检查).
Cases are opened by `workflows/spot_checks.py` (a county's round, or a city's unannounced check), never from
the start menu. The focus points and grounds are the city's policy data (`policies/<city>/spot_checks.yaml`).
"""
import json

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import SpotCheckInspection, User, db
from rules.spot_check_policy import PROBLEM_RESULTS, RESULTS, load_spot_checks
from workflows import audit, labels, links

from . import FormSpec, ProcessInfo, register_form, register_process, service
from ._fields import choice, meta

register_process(ProcessInfo(key="spot_check", title="抽查检查", start_via="spot_check"))

RESULT_NAMES = dict(RESULTS)
DECISIONS = [("no_problem", "未发现问题，检查结束"), ("interview", "发起警示约谈"), ("blacklist", "移送严重失信主体名单程序")]
labels.register("action", {
    "spot_check_round_started": "发起半年度抽查", "spot_check_project_inspected": "记录抽查项目检查情况",
    "spot_check_concluded": "作出抽查处理意见", "spot_check_round_reported": "报送抽查检查报告",
    "spot_check_round_acknowledged": "确认收到抽查检查报告", "spot_check_unannounced_started": "发起“四不两直”检查"})
labels.register("decision", dict(DECISIONS))
labels.register("outcome", {"no_problem": "未发现问题", "interview": "已发起警示约谈", "blacklist": "已移送失信名单程序"})
labels.register("status", {"open": "检查中", "concluded": "已办结", "reported": "已报送市局", "acknowledged": "市局已确认"})
labels.register("spot_result", dict(RESULTS))
labels.register("notification", {"spot_check_result": "检查结果", "spot_check_report": "抽查检查报告"})
labels.register("ground", {"spot_check_referral": "抽查检查发现问题移送", "spot_check": "抽查检查发现问题"})


def _policy(settings):
    return load_spot_checks(settings["CITY_POLICY"].key)


def _points(settings) -> tuple:
    policy = _policy(settings)
    return policy.focus_points if policy else ()


def inspect_schema(settings) -> Schema:
    """Per focus point: the result, the finding and its 评鉴依据 (the rule the finding rests on)."""
    spec = {}
    for n, point in enumerate(_points(settings), start=1):
        spec[f"fp{n}_result"] = choice(f"检查重点{n}：{point['title']}", list(RESULTS), source=point["source"],
                                            widget="select")
        spec[f"fp{n}_finding"] = fields.String(load_default="", validate=validate.Length(max=2000), metadata=meta(
            f"检查重点{n} 检查发现", widget="textarea", help="存在问题的，写明具体问题"))
        spec[f"fp{n}_basis"] = fields.String(load_default="", validate=validate.Length(max=500), metadata=meta(
            f"检查重点{n} 评鉴依据", help="存在问题的，写明所依据的条款或标准（如 [JC] 第十九条(二)）"))
    return Schema.from_dict(spec, name="SpotCheckInspect")()


def validate_inspect(ctx, data: dict) -> dict:
    """A problem needs the finding and its 评鉴依据 ([JC] 第十九条“提交详细评鉴依据”; [WJ] 第二十三条)."""
    errors = {}
    for n in range(1, len(_points(ctx.settings)) + 1):
        if data.get(f"fp{n}_result") in PROBLEM_RESULTS:
            if not str(data.get(f"fp{n}_finding") or "").strip():
                errors[f"fp{n}_finding"] = ["存在问题的，必须填写检查发现"]
            if not str(data.get(f"fp{n}_basis") or "").strip():
                errors[f"fp{n}_basis"] = ["存在问题的，必须填写评鉴依据"]
    return errors


def project_table(ctx, data: dict) -> list[dict]:
    """The drawn project under inspection (from the filed contract) and how far the inspection is."""
    cursor = data.get("cursor") or {}
    project = cursor.get("project") or {}
    if not project:
        return []
    rows = [{"cells": [project.get(k, "") for k in ("client_name", "content", "service_type", "town",
                                                    "signed_on", "ends_on")], "flag": ""}]
    return [{"title": f"抽中项目（第 {cursor.get('index', 0) + 1} 个，共 {cursor.get('of', 0)} 个）",
             "columns": ["项目企业", "服务内容", "业务类型", "所在镇（街道）", "签约日期", "合同截止日期"], "rows": rows,
             "note": f"检查人员：{data.get('inspectors', '')}"}]


def findings_of(data: dict) -> list[dict]:
    """Every finding recorded so far, one row per project and focus point."""
    return list((data.get("inspected") or {}).get("items") or [])


def findings_table(ctx, data: dict) -> list[dict]:
    """All findings with their 评鉴依据, and the 成长值 score where the city keeps one (武进)."""
    rows = [{"cells": [f["project"], f["focus_title"], RESULT_NAMES.get(f["result"], ""), f["finding"], f["basis"]],
             "flag": "warn" if f["result"] in PROBLEM_RESULTS else ""} for f in findings_of(data)]
    out = [{"title": "检查记录", "columns": ["项目", "检查重点", "结论", "检查发现", "评鉴依据"], "rows": rows,
            "note": f"存在问题 {sum(1 for r in findings_of(data) if r['result'] in PROBLEM_RESULTS)} 项"}]
    policy = _policy(ctx.settings)
    if policy and policy.growth:
        score = policy.growth.score(findings_of(data))
        source = ctx.settings["CITY_POLICY"].cite(policy.growth.source)
        out.append({"title": f"{score['title']}（{source}）", "columns": ["项目", "检查重点", "扣分", "依据"],
                    "rows": [{"cells": [x["project"], x["focus"], x["points"], x["basis"]], "flag": ""}
                             for x in score["lines"]],
                    "note": f"基础分 {score['base']}（{score['basis']}），得分 {score['total']}"})
    return out


register_form(FormSpec(key="spot_check_inspect", title="抽查项目检查记录", schema=inspect_schema,
                       validate=validate_inspect, tables=project_table,
                       instructions="请对抽中项目逐项检查四个检查重点，存在问题的写明检查发现和评鉴依据"
                                    "（[JC] 第十九条；[WJ] 第二十二、二十三条；[LY22] 六(四)）。"))


class ConcludeSchema(Schema):
    """The official's conclusion on the inspection."""

    decision = choice("处理意见", DECISIONS, source="[JC] 第十七条、第十八条；[WJ] 第二十四条", widget="select")
    opinion = fields.String(load_default="", validate=validate.Length(max=2000),
                            metadata=meta("处理说明", widget="textarea", help="发起约谈或移送的，写明理由"))


def _row(case_id: int) -> SpotCheckInspection:
    return db.session.execute(select(SpotCheckInspection).where(SpotCheckInspection.case_id == case_id)).scalar_one()


def validate_conclude(ctx, data: dict) -> dict:
    """A referral rests on at least one finding of a problem (as recorded on the inspection) and a stated reason."""
    if data.get("decision") in ("interview", "blacklist"):
        if not any(f["result"] in PROBLEM_RESULTS for f in json.loads(_row(ctx.case.id).findings or "[]")):
            return {"decision": ["检查未发现问题，不能发起约谈或移送"]}
        if not str(data.get("opinion") or "").strip():
            return {"opinion": ["发起约谈或移送的，必须填写处理说明"]}
    return {}


register_form(FormSpec(key="spot_check_conclude", title="抽查检查处理意见", schema=lambda s: ConcludeSchema(),
                       validate=validate_conclude, tables=findings_table))


@service("spot_check_next")
def spot_check_next(ctx, data: dict) -> dict:
    """The next drawn project to inspect."""
    done = len({f["contract_id"] for f in findings_of(data)})
    projects = data["projects"]
    return {"index": done, "of": len(projects), "project": projects[done]}


@service("spot_check_record")
def spot_check_record(ctx, data: dict) -> dict:
    """Keep the project's four findings (audited) and say whether another project is left."""
    project, items = data["cursor"]["project"], findings_of(data)
    new = [{"contract_id": project["contract_id"], "project": project["client_name"], "focus_code": p["code"],
            "focus_title": p["title"], "focus_source": p["source"], "result": data.get(f"fp{n}_result"),
            "finding": data.get(f"fp{n}_finding") or "", "basis": data.get(f"fp{n}_basis") or ""}
           for n, p in enumerate(_points(ctx.settings), start=1)]
    audit.record("spot_check_project_inspected", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"contract_id": project["contract_id"], "findings": new})
    items = items + new
    _row(ctx.case.id).findings = json.dumps(items, ensure_ascii=False)
    return {"items": items, "more": len({f["contract_id"] for f in items}) < len(data["projects"])}


def _facts(data: dict) -> str:
    return "；".join(f"{f['project']}：{f['focus_title']}——{f['finding']}（评鉴依据：{f['basis']}）"
                     for f in findings_of(data) if f["result"] in PROBLEM_RESULTS)


@service("spot_check_conclude")
def spot_check_conclude(ctx, data: dict) -> dict:
    """Close the inspection row; refer to an interview or the listing process with the findings as facts; an
    unannounced check is shown to the agency only now, with its result."""
    policy = _policy(ctx.settings)
    row = _row(ctx.case.id)
    findings, decision = findings_of(data), data["decision"]
    score = policy.growth.score(findings)["total"] if policy and policy.growth else None
    row.status, row.conclusion, row.concluded_at = "concluded", decision, ctx.now
    row.findings, row.growth_score = json.dumps(findings, ensure_ascii=False), score
    out = {"decision": decision, "growth_score": score}
    facts = {"facts": _facts(data), "referral_facts": _facts(data), "spot_check_findings": [f for f in findings if f["result"] in PROBLEM_RESULTS],
             "spot_check_opinion": data.get("opinion", "")}
    if decision in ("interview", "blacklist"):
        ground = str(policy.settings["interview_ground"]) if decision == "interview" else "spot_check_referral"
        link = links.request_case(decision, agency_id=row.agency_id, ground=ground or "spot_check",
                                  origin_case_id=ctx.case.id, actor=ctx.actor, variables=facts)
        out.update(link_id=link.id, target_case_id=link.target_case_id)
    if row.kind == "unannounced":
        ctx.set_case(agency_id=row.agency_id, credit_code=row.agency.credit_code)
        from workflows.notify import notify_users
        users = db.session.execute(select(User.id).where(User.agency_id == row.agency_id)).scalars()
        notify_users(users, "spot_check_result", f"市应急管理局对贵机构服务项目进行了检查，检查结论：{dict(DECISIONS)[decision]}",
                     case_id=ctx.case.id)
    audit.record("spot_check_concluded", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"decision": decision, "growth_score": score, "facts": facts["facts"]})
    return out
