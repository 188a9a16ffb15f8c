"""Service tasks of the grading process (forms and sources in handlers/grading.py)."""
from datetime import date, datetime, timedelta

from models import GradingEntry, Objection, db
from rules.scoring import panel_item_score, score_sheet
from workflows import audit, links
from workflows.calendar_service import deadline_json
from workflows.clock import SHANGHAI

from . import service
from .grading import _score_lines, exam_lines, finding_fields, roster, sheet


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
            "explanation": f"自查自评截止：{ends.isoformat()} 24时（[LY22] 六(一) 逾期视为主动放弃）"}


@service("grading_waived")
def grading_waived(ctx, data: dict) -> dict:
    """No materials by the deadline: recorded as having waived this round (视为主动放弃, [LY22] 六(一))."""
    _phase(data, "waived")
    audit.record("grading_waived", case_id=ctx.case.id, detail={"entry_id": data["entry_id"], "basis": "[LY22] 六(一)"})
    return {"waived": True}


@service("grading_inspection")
def grading_inspection(ctx, data: dict) -> dict:
    """Phase 2 starts (or restarts after an upheld objection): the panel's experts are queued."""
    _phase(data, "inspection")
    return {"queue": list(data["panel"]), "round": (data.get("inspection") or {}).get("round", -1) + 1}


@service("grading_draw_sample")
def grading_draw_sample(ctx, data: dict) -> dict:
    """Draw ≥ 50% of the technical staff at random ([LY22] 附件1 第19项); the seed is kept so the draw can be redone."""
    import secrets

    from rules.scoring import draw_staff_sample
    names = roster(data["staff_roster"])
    seed = secrets.randbelow(2**31)
    fraction = float(sheet().settings["exam_sample_fraction"])
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
    """Keep one expert's findings (and veto, if any) and clear the form for the next expert."""
    collected, this_round = data.get("collected") or {}, data["inspection"]["round"]
    scores = list(collected.get("scores", [])) if collected.get("round") == this_round else []
    findings = {name: data.get(name) for name, _, _ in finding_fields()}
    scores.append({"expert_id": data["next"]["expert_id"], "findings": findings, "veto": data.get("veto") or "",
                   "veto_evidence": data.get("veto_evidence") or "", "notes": data.get("expert_notes") or ""})
    return {"scores": scores, "round": this_round}


def _inputs(findings: dict) -> dict:
    by_item: dict[str, dict] = {}
    for name, item, rule in finding_fields():
        value = findings.get(name)
        if value:
            by_item.setdefault(item.code, {})[rule.finding] = value
    out = {}
    for item in sheet().items:
        if item.computed == "client_average":
            out[item.code] = [by_item.get(item.code, {})]
        elif not item.computed:
            out[item.code] = by_item.get(item.code, {})
    return out


@service("grading_compute")
def grading_compute(ctx, data: dict) -> dict:
    """Score each expert's sheet, take the panel mean per item, add exam, satisfaction and bonus ([LY22] 三)."""
    experts = data["collected"]["scores"]
    named = exam_lines(data["exam_scores"])
    exam = list(named.values())
    forms = _score_lines(data["satisfaction"])
    results = []
    for e in experts:
        inputs = _inputs(e["findings"])
        inputs["4.1"] = {"scores": exam, "staff_total": data["sample"]["staff_total"]}
        inputs["5.1"] = forms
        results.append(score_sheet(sheet(), inputs))
    items, disagreements = {}, []
    for index, item in enumerate(sheet().items):
        per_expert = [r.parts[_part_index(item.part)].items[_item_index(item)].score for r in results]
        score, split = panel_item_score(per_expert, item_max=float(item.max))
        items[item.code] = score
        if split:
            disagreements.append({"item": item.code, "scores": per_expert})
    base = round(sum(items.values()), 2)
    bonus = min(float(data.get("bonus") or 0), float(sheet().bonus_cap))
    final = round(min(100.0, base + bonus), 2)
    vetoes = [{"code": e["veto"], "evidence": e["veto_evidence"]} for e in experts if e["veto"]]
    from rules.scoring import failed_staff
    failed = failed_staff(named, float(sheet().settings["exam_pass_mark"]))
    _entry(data).failed_staff = failed
    return {"items": items, "base": base, "bonus": bonus, "final_score": final, "vetoed": bool(vetoes),
            "vetoes": vetoes, "disagreements": disagreements, "experts": len(experts), "failed_staff": failed}


def _part_index(part_code: str) -> int:
    return [p.code for p in sheet().parts].index(part_code)


def _item_index(item) -> int:
    return [i.code for i in sheet().part_items(item.part)].index(item.code)


@service("grading_start_publicity")
def grading_start_publicity(ctx, data: dict) -> dict:
    """公示 for 7 working days, start day excluded ([LY22] 四(三); domain.md §8), as an absolute end."""
    deadline = deadline_json(ctx.now, int(sheet().raw["publicity"]["working_days"]))
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
    """Publicity over with nothing upheld: the grade is final; 差 asks for a warning interview ([LY22] 五)."""
    entry = _entry(data)
    entry.phase = "final"
    audit.record("grade_final", case_id=ctx.case.id, detail={"grade": entry.grade, "final_score": entry.final_score})
    if entry.grade == "差":
        links.request_case("interview", agency_id=entry.agency_id, ground="linyi_poor_grade",
                           origin_case_id=ctx.case.id, actor=ctx.actor,
                           variables={"grading_score": entry.final_score})
    return {"grade": entry.grade}
