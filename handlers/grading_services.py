"""Service tasks of the grading processes (`grading` 临沂, `star_rating` 嘉兴); forms in handlers/grading.py and
handlers/star_rating.py. Every service reads the case's scoring sheet from its `sheet` variable."""
import secrets
from datetime import date, datetime, timedelta

from models import GradingEntry, Objection, db
from rules.scoring import (
    draw_staff_sample,
    expert_item_results,
    failed_staff,
    measured_item_score,
    panel_item_score,
)
from workflows import audit, links
from workflows.calendar_service import deadline_json
from workflows.clock import SHANGHAI
from workflows.sanctions import record_measures

from . import service
from ._grading_forms import expert_items, finding_fields, satisfaction_forms, self_scores, slug
from .grading import SHEET, exam_lines, roster, sheet


def _sheet_name(data) -> str:
    return data.get("sheet") or SHEET


def _entry(data) -> GradingEntry:
    return db.session.get(GradingEntry, data["entry_id"])


def _phase(data, phase: str) -> None:
    _entry(data).phase = phase


@service("grading_deadlines")
def grading_deadlines(ctx, data: dict) -> dict:
    """The self-assessment deadline: the end (24:00 Asia/Shanghai) of the round's phase-1 date."""
    ends = date.fromisoformat(data["self_assessment_ends_on"])
    due = datetime.combine(ends + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return {"due_at": due.isoformat(), "ends_on": ends.isoformat(), "provisional": False,
            "explanation": f"自查自评截止：{ends.isoformat()} 24时（逾期视为主动放弃，{_waiver_source(data)}）"}


def _waiver_source(data) -> str:
    return sheet(data).raw["scheme"].get("waiver_source", "[LY22] 六(一)")


@service("grading_waived")
def grading_waived(ctx, data: dict) -> dict:
    """No materials by the deadline: recorded as having waived this round (视为主动放弃, [LY22] 六(一))."""
    _phase(data, "waived")
    audit.record("grading_waived", case_id=ctx.case.id, detail={"entry_id": data["entry_id"], "basis": _waiver_source(data)})
    return {"waived": True}


@service("grading_self_scored")
def grading_self_scored(ctx, data: dict) -> dict:
    """The agency's own item scores and their total, kept for the experts' comparison and the round overview."""
    result = self_scores(_sheet_name(data), data)
    _entry(data).self_score = result["total"]
    return result


@service("grading_inspection")
def grading_inspection(ctx, data: dict) -> dict:
    """Phase 2 starts (or restarts after an upheld objection): the panel's experts are queued; the sheet's
    `panel_mode` (the round's choice, else the sheet's setting) says whether the panel's item score is the mean
    or the lead's consensus entry."""
    _phase(data, "inspection")
    return {"queue": list(data["panel"]), "round": (data.get("inspection") or {}).get("round", -1) + 1,
            "mode": data.get("panel_mode") or str(sheet(data).settings["panel_mode"])}


@service("grading_draw_sample")
def grading_draw_sample(ctx, data: dict) -> dict:
    """Draw ≥ 50% of the technical staff at random ([LY22] 附件1 第19项); the seed is kept so the draw can be redone."""
    names = roster(data["staff_roster"])
    seed = secrets.randbelow(2**31)
    fraction = float(sheet(data).settings["exam_sample_fraction"])
    drawn = draw_staff_sample(names, seed, fraction)
    audit.record("exam_sample_drawn", actor=ctx.actor, case_id=ctx.case.id,
                 detail={"seed": seed, "fraction": fraction, "staff_total": len(names), "drawn": drawn})
    return {"seed": seed, "drawn": drawn, "staff_total": len(names)}


@service("grading_next_expert")
def grading_next_expert(ctx, data: dict) -> dict:
    """Hand the sheet to the next expert of the panel (pre-assigned)."""
    queue = list(data["inspection"]["queue"])
    collected = data.get("collected") or {}
    done = [s["expert_id"] for s in collected.get("scores", [])] if collected.get("round") == data["inspection"]["round"] else []
    pending = [e for e in queue if e not in done]
    return {"expert_id": pending[0], "remaining": len(pending) - 1}


@service("grading_collect")
def grading_collect(ctx, data: dict) -> dict:
    """Keep one expert's findings (and veto, if any) with the item scores they give."""
    collected, this_round = data.get("collected") or {}, data["inspection"]["round"]
    scores = list(collected.get("scores", [])) if collected.get("round") == this_round else []
    name = _sheet_name(data)
    findings = {field: data.get(field) for field, _, _ in finding_fields(name)}
    results = expert_item_results(sheet(data), _inputs(name, findings))
    scores.append({"expert_id": data["next"]["expert_id"], "findings": findings, "veto": data.get("veto") or "",
                   "veto_evidence": data.get("veto_evidence") or "", "notes": data.get("expert_notes") or "",
                   "items": {code: r.score for code, r in results.items()},
                   "explanations": {code: _explain(r) for code, r in results.items()}})
    return {"scores": scores, "round": this_round}


def _explain(result) -> str:
    """An item's explanation with the source of every rule applied (e.g. “一次人员不到现场×3 …（[LY22] 附件1 第6项）”)."""
    sources = sorted({rule.source for rule, _, _ in result.deductions})
    return result.explanation + (f"（依据：{'；'.join(sources)}）" if sources else "")


def _inputs(sheet_name: str, findings: dict) -> dict:
    by_item: dict[str, dict] = {}
    for field, item, rule in finding_fields(sheet_name):
        value = findings.get(field)
        if value:
            by_item.setdefault(item.code, {})[rule.finding] = value
    return {item.code: ([by_item.get(item.code, {})] if item.computed == "client_average"
                        else by_item.get(item.code, {})) for item in expert_items(sheet_name)}


@service("grading_panel_summary")
def grading_panel_summary(ctx, data: dict) -> dict:
    """Every expert's score per item, the panel mean, and the items on which the experts disagree widely."""
    return _panel_summary(ctx, data)


def _expert_scores(data: dict, expert: dict) -> dict:
    """An expert's item scores (recomputed from the findings for sheets collected before scores were kept)."""
    if "items" in expert:
        return expert["items"]
    results = expert_item_results(sheet(data), _inputs(_sheet_name(data), expert["findings"]))
    return {code: r.score for code, r in results.items()}


def _panel_summary(ctx, data: dict) -> dict:
    experts, s = data["collected"]["scores"], sheet(data)
    fraction = float(s.settings["panel_disagreement_fraction"])
    items, disagreements = {}, []
    for item in expert_items(_sheet_name(data)):
        per_expert = [_expert_scores(data, e)[item.code] for e in experts]
        mean, split = panel_item_score(per_expert, item_max=float(item.max), spread_fraction=fraction)
        items[item.code] = {"scores": per_expert, "mean": mean, "split": split}
        if split:
            disagreements.append(item.code)
    if disagreements:
        audit.record("panel_disagreement", case_id=ctx.case.id, detail={"items": disagreements, "fraction": fraction})
    return {"mode": data["inspection"].get("mode", "mean"), "experts": [e["expert_id"] for e in experts], "items": items,
            "disagreements": disagreements}


@service("grading_compute")
def grading_compute(ctx, data: dict) -> dict:
    """The panel's item scores (mean, or the lead's consensus), plus exam, satisfaction and bonus ([LY22] 三; 表A)."""
    # cases started on the first version of the diagram have no panel-summary step: summarise here
    s, panel = sheet(data), data.get("panel_result") or _panel_summary(ctx, data)
    named = exam_lines(data.get("exam_scores") or "")
    forms = satisfaction_forms(_sheet_name(data), data["satisfaction"])
    items, measured = {}, {}
    for item in s.items:
        if item.computed in ("exam_average", "satisfaction_average"):
            value = ({"scores": list(named.values()), "staff_total": data["sample"]["staff_total"]}
                     if item.computed == "exam_average" else forms)
            result = measured_item_score(s, item, value)
            items[item.code], measured[item.code] = result.score, f"{result.explanation}（依据：{item.source}）"
        elif panel["mode"] == "consensus":
            items[item.code], _ = panel_item_score(panel["items"][item.code]["scores"], "consensus",
                                                   data[f"agreed_{slug(item.code)}"], item_max=float(item.max))
        else:
            items[item.code] = panel["items"][item.code]["mean"]
    base = round(sum(items.values()), 2)
    bonus = min(float(data.get("bonus") or 0), float(s.bonus_cap))
    final = round(min(float(s.settings.get("total_cap") or s.total), base + bonus), 2)
    vetoes = [{"code": e["veto"], "evidence": e["veto_evidence"]} for e in data["collected"]["scores"] if e["veto"]]
    failed = failed_staff(named, float(s.settings["exam_pass_mark"])) if named else []
    entry = _entry(data)
    entry.failed_staff, entry.exam_results = failed, (named or None)  # 个人考试成绩将公开公示 ([LY22] 三(四))
    return {"items": items, "base": base, "bonus": bonus, "final_score": final, "vetoed": bool(vetoes),
            "vetoes": vetoes, "disagreements": panel["disagreements"], "mode": panel["mode"],
            "experts": len(panel["experts"]), "failed_staff": failed, "measured": measured}


@service("grading_start_publicity")
def grading_start_publicity(ctx, data: dict) -> dict:
    """公示 for 7 working days, start day excluded ([LY22] 四(三); domain.md §8), as an absolute end."""
    deadline = deadline_json(ctx.now, int(sheet(data).raw["publicity"]["working_days"]))
    entry = _entry(data)
    entry.phase, entry.final_score, entry.grade = "publicity", data["score"]["final_score"], data["grade"]
    entry.vetoed = data["score"]["vetoed"]
    entry.publicity_until = datetime.fromisoformat(deadline["due_at"])
    entry.publicity_explanation = deadline["explanation"]
    audit.record("publicity_started", case_id=ctx.case.id, detail={
        "grade": data["grade"], "final_score": entry.final_score, "until": deadline["due_at"],
        "explanation": deadline["explanation"]})
    return deadline


@service("grading_objection_decided")
def grading_objection_decided(ctx, data: dict) -> dict:
    """Record the reply on the objection; an upheld one sends the agency back to inspection."""
    objection = db.session.get(Objection, data["objection"]["objection_id"])
    objection.status = "upheld" if data["decision"] == "uphold" else "dismissed"
    objection.reply = data["reply"]
    audit.record("objection_" + objection.status, actor=ctx.actor, case_id=ctx.case.id,
                 detail={"objection_id": objection.id, "reply": data["reply"]})
    return {"upheld": data["decision"] == "uphold"}


@service("grading_finalize")
def grading_finalize(ctx, data: dict) -> dict:
    """Publicity over with nothing upheld: the grade is final; where the sheet says so (临沂 差, [LY22] 五) a
    warning interview is asked for."""
    entry = _entry(data)
    entry.phase = "final"
    audit.record("grade_final", case_id=ctx.case.id, detail={"grade": entry.grade, "final_score": entry.final_score})
    consequence = (sheet(data).raw.get("consequences") or {}).get(entry.grade) or {}
    if consequence.get("interview_ground"):
        vetoes = (data.get("score") or {}).get("vetoes") or []
        # a 差 by veto is interviewed on the veto item, not on "below 70" ([LY22] 三(六)2)
        ground = f"grading_veto_{vetoes[0]['code']}" if entry.vetoed and vetoes else consequence["interview_ground"]
        links.request_case("interview", agency_id=entry.agency_id, ground=ground,
                           origin_case_id=ctx.case.id, actor=ctx.actor,
                           variables={"grading_score": entry.final_score, "vetoes": vetoes})
        _record_measures(ctx, entry, consequence)
    return {"grade": entry.grade}


def _record_measures(ctx, entry: GradingEntry, consequence: dict) -> None:
    """警告 and 责令限期停业整改 with their basis ([LY22] 五); the interview itself is the linked case."""
    interview = ctx.settings["CITY_POLICY"].interview
    if "measures" not in interview:
        return
    measures = tuple(m for m in interview.measures if not m.startswith("约谈"))
    record_measures(ctx.settings["CITY_POLICY"], agency_id=entry.agency_id, case_id=ctx.case.id, measures=measures,
                    basis=interview.basis("measures"), reason=f"分类等级评定为“{entry.grade}”", actor=ctx.actor)
