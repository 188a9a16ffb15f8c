"""One scoring engine for every city's sheet (临沂 附件1, 嘉兴 表A): deductions, caps, averages, bonus, veto.

Arithmetic: every input is turned into `Decimal` and computed exactly; each *item* score is then rounded
once to 2 decimals (ROUND_HALF_UP), and part, base and final scores are exact sums of those rounded item
scores. Results are plain floats with at most 2 decimals, so they can go into workflow task data as-is.
Grades are decided by the DMN tables in `bpmn/`; `band_for` only reads the sheet's bands for display.
"""
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from rules.policy import Band, Item, Rule, Sheet

CENT = Decimal("0.01")
LINYI_FORM_ITEMS = ("合规执业", "服务质量", "规范收费", "职业道德", "公平竞争")  # [LY22] 附件4, 2 points each


class ScoringInputError(ValueError, TypeError):
    """Input that cannot be scored (wrong kind or out of range); the message says which and why."""


def _dec(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ScoringInputError(f"{what} 应为数字，得到 {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ScoringInputError(f"{what} 应为数字，得到 {value!r}") from None
    if not number.is_finite():
        raise ScoringInputError(f"{what} 应为有限数字，得到 {value!r}")
    return number


def _round(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


@dataclass
class ItemScore:
    """The score of one item with each deduction as (rule, count, points before any cap)."""

    code: str
    max: float
    score: float
    deductions: list[tuple[Rule, Any, float]] = field(default_factory=list)
    explanation: str = ""
    zeroed: bool = False
    details: list["ItemScore"] = field(default_factory=list)  # one per client for client_average items


@dataclass
class PartResult:
    """The score of one part and of its items."""

    code: str
    title: str
    max: float
    score: float
    items: list[ItemScore]


@dataclass
class SheetResult:
    """A whole assessment: base = sum of parts, final = min(total cap, base + bonus), vetoes kept apart."""

    parts: list[PartResult]
    base: float
    bonus: float
    final: float
    vetoed: bool
    grade_hint: str
    vetoes: list[tuple[str, str]] = field(default_factory=list)
    bonus_items: list[tuple[float, str]] = field(default_factory=list)

    def decision_input(self) -> dict:
        """The JSON-native data the grade DMN reads (`final_score`, `vetoed`)."""
        return {"final_score": self.final, "vetoed": self.vetoed}


def _deduction(rule: Rule, value: Any, code: str) -> tuple[Any, Decimal]:
    """(count as recorded, points) for one rule and the value recorded for its finding."""
    where = f"第 {code} 项「{rule.finding}」"
    if rule.type == "per_finding":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{where} 应为发现次数（非负整数），得到 {value!r}")
        return value, rule.points * value
    if rule.type == "discretionary":
        points = _dec(value, where)
        if not 0 <= points <= rule.points:
            raise ValueError(f"{where} 酌情扣分应在 0–{rule.points} 之间，得到 {value!r}")
        return value, points
    if value not in (True, False, 0, 1):
        raise ValueError(f"{where} 应为 是/否（true/false），得到 {value!r}")
    present = bool(value)
    return present, (rule.points if rule.type == "fixed" and present else Decimal(0))


def _score_item_exact(item: Item, findings: dict[str, int | bool | float]) -> tuple[Decimal, ItemScore]:
    if item.computed in ("exam_average", "satisfaction_average"):
        raise ValueError(f"第 {item.code} 项由 {item.computed} 计算，不按扣分规则评分")
    if not isinstance(findings, dict):
        raise ScoringInputError(f"第 {item.code} 项的发现应为 {{发现: 次数/是否}}，得到 {findings!r}")
    known = {r.finding for r in item.rules}
    unknown = set(findings) - known
    if unknown:
        raise ValueError(f"第 {item.code} 项没有这些发现：{sorted(unknown)}；可用：{sorted(known)}")
    deductions, zeroed, groups, loose = [], False, {}, Decimal(0)
    for rule in item.rules:
        if rule.finding not in findings:
            continue
        count, points = _deduction(rule, findings[rule.finding], item.code)
        if rule.type == "zero_out":
            zeroed = zeroed or bool(count)
            if count:
                deductions.append((rule, True, 0.0))
            continue
        if points:
            deductions.append((rule, count, float(points)))
            if rule.group:
                groups[rule.group] = groups.get(rule.group, Decimal(0)) + points
            else:
                loose += points
    total = loose + sum((min(v, item.group_caps[g]) for g, v in groups.items()), Decimal(0))
    if item.cap is not None:
        total = min(total, item.cap)
    score = item.max - total
    if item.floor_at_zero:
        score = max(score, Decimal(0))
    if zeroed:
        score = Decimal(0)
    parts = [f"{r.finding}×{c}" if r.type == "per_finding" else r.finding for r, c, _ in deductions]
    note = "；".join(parts) or "无扣分"
    limit = f"（扣满{item.cap}分为止）" if item.cap is not None else ""
    if item.cap is None and item.floor_at_zero and total > item.max:
        limit = "（未规定扣满分值，按默认最低0分）"
    explanation = f"第{item.seq}项 满分{item.max}：{note}；扣{total}{limit} → 得{_round(score)}"
    if zeroed:
        explanation = f"第{item.seq}项 满分{item.max}：{note} → 不得分"
    return score, ItemScore(item.code, float(item.max), _round(score), deductions, explanation, zeroed)


def score_item(item: Item, findings: dict[str, int | bool | float]) -> ItemScore:
    """Score one rule-based item from the findings recorded against it (finding → count / yes-no / points)."""
    return _score_item_exact(item, findings)[1]


def _client_average(item: Item, visits: Any) -> ItemScore:
    visits = [visits] if isinstance(visits, dict) else list(visits or [])
    if not visits:
        raise ValueError(f"第 {item.code} 项按现场核查的服务对象取平均，至少需要一家服务对象的记录")
    exact = [_score_item_exact(item, v) for v in visits]
    score = _round(_mean([s for s, _ in exact]))
    return ItemScore(item.code, float(item.max), score, [d for _, s in exact for d in s.deductions],
                     f"第{item.seq}项 {len(visits)}家服务对象平均 → 得{score}", details=[s for _, s in exact])


def exam_part_score(scores: Sequence[float], part_max: float = 20) -> float:
    """Average of percentage exam scores converted to `part_max` points ([LY22] 附件1 第19项)."""
    if not scores:
        raise ValueError("抽考成绩为空")
    values = [_dec(s, "抽考成绩") for s in scores]
    if any(not 0 <= v <= 100 for v in values):
        raise ValueError(f"抽考成绩应在 0–100 之间：{list(scores)}")
    return _round(_mean(values) * _dec(part_max, "满分") / 100)


def failed_staff(scores: dict[Any, float], pass_mark: float = 60) -> list:
    """Staff whose exam score is below the pass mark (the mark is a platform default, not in [LY22])."""
    mark = _dec(pass_mark, "合格线")
    return [staff for staff, score in scores.items() if _dec(score, f"{staff} 的成绩") < mark]


def draw_staff_sample(staff_ids: Sequence, seed: int, fraction: float = 0.5) -> list:
    """Draw ⌈fraction × staff⌉ staff (at least one), reproducible from `seed` whatever the input order."""
    if len(set(staff_ids)) != len(staff_ids):
        raise ValueError("人员名单中有重复")
    if not staff_ids:
        return []
    share = _dec(fraction, "抽取比例")
    if not 0 < share <= 1:
        raise ValueError(f"抽取比例应在 (0, 1] 之间，得到 {fraction!r}")
    size = max(1, math.ceil(share * len(staff_ids)))
    return random.Random(seed).sample(sorted(staff_ids, key=str), min(size, len(staff_ids)))


def _form_total(form: dict, maxima: dict[str, Decimal]) -> Decimal:
    if set(form) != set(maxima):
        raise ValueError(f"评议表应逐项评分 {list(maxima)}，得到 {sorted(form)}")
    values = {c: _dec(form[c], f"评议表「{c}」") for c in maxima}
    if any(not 0 <= v <= maxima[c] for c, v in values.items()):
        raise ValueError(f"评议表各项应在 0 与该项满分之间：{form}")
    return sum(values.values(), Decimal(0))


def _satisfaction_exact(forms: Iterable, maxima: dict[str, Decimal], part_max: Decimal) -> Decimal:
    totals = []
    for form in forms:
        if isinstance(form, dict):
            totals.append(_form_total(form, maxima) * part_max / sum(maxima.values()))
        else:
            value = _dec(form, "测评得分")
            if not 0 <= value <= part_max:
                raise ValueError(f"测评得分应在 0–{part_max} 之间，得到 {form!r}")
            totals.append(value)
    if not totals:
        raise ValueError("没有收回的满意度测评")
    return _mean(totals)


def satisfaction_score(forms: Sequence[dict[str, float]], item_codes: Sequence[str] = LINYI_FORM_ITEMS,
                       item_max: float = 2, part_max: float = 10) -> float:
    """Average of the raters' forms, each scaled to `part_max` (default: 附件4, 5 items × 2 → 10)."""
    maxima = dict.fromkeys(item_codes, _dec(item_max, "每项满分"))
    return _round(_satisfaction_exact(forms, maxima, _dec(part_max, "满分")))


def panel_item_score(expert_scores: Sequence[float], mode: str = "mean", consensus: float | None = None, *,
                     item_max: float, spread_fraction: float = 0.2) -> tuple[float, bool]:
    """An item's panel score (mean of experts, or the agreed consensus) and whether the experts disagree."""
    values = [_dec(s, "专家评分") for s in expert_scores]
    top = _dec(item_max, "该项满分")
    if not values or any(not 0 <= v <= top for v in values):
        raise ValueError(f"专家评分应至少一个且在 0–{top} 之间：{list(expert_scores)}")
    disagreement = max(values) - min(values) > top * _dec(spread_fraction, "分歧阈值")
    if mode == "mean":
        return _round(_mean(values)), disagreement
    if mode == "consensus":
        if consensus is None or not 0 <= _dec(consensus, "合议分") <= top:
            raise ValueError(f"合议模式需要 0–{top} 之间的合议分，得到 {consensus!r}")
        return _round(_dec(consensus, "合议分")), disagreement
    raise ValueError(f"未知的评分方式 {mode!r}（mean 或 consensus）")


def band_for(sheet: Sheet, score: float) -> Band:
    """The sheet's band for a score, for display (the DMN decides the official grade)."""
    value = _dec(score, "得分")
    return next((b for b in sheet.bands if value >= b.min), sheet.bands[-1])


def _computed_score(sheet: Sheet, item: Item, value: Any) -> ItemScore:
    if item.computed == "exam_average":
        scores, staff_total = (value, None) if not isinstance(value, dict) else (value.get("scores"),
                                                                                 value.get("staff_total"))
        if not isinstance(scores, (list, tuple)):
            raise ScoringInputError(f"第 {item.code} 项需要抽考成绩列表，得到 {value!r}")
        fraction = _dec(sheet.settings["exam_sample_fraction"], "抽考比例")
        if staff_total is not None and len(scores) < math.ceil(fraction * _dec(staff_total, "人员总数")):
            raise ValueError(f"抽考{len(scores)}人，少于专业技术人员{staff_total}人的{fraction:%}"
                             f"（{item.source}）")
        score = exam_part_score(list(scores), float(item.max))
        return ItemScore(item.code, float(item.max), score,
                         explanation=f"抽考{len(scores)}人平均换算 → 得{score}")
    if not isinstance(value, (list, tuple)):
        raise ScoringInputError(f"第 {item.code} 项需要测评表或测评得分的列表，得到 {value!r}")
    maxima = {f.code: f.max for f in sheet.form_items}
    if any(isinstance(f, dict) for f in value) and not maxima:
        raise ValueError(f"评分表 {sheet.id} 没有评议表，第 {item.code} 项只接受 0–{item.max} 的测评得分")
    score = _round(_satisfaction_exact(list(value), maxima, item.max))
    return ItemScore(item.code, float(item.max), score, explanation=f"{len(value)}份测评平均 → 得{score}")


def _bonus(sheet: Sheet, bonus: Iterable[tuple[float, str]]) -> tuple[Decimal, list[tuple[float, str]]]:
    items = []
    for points, reason in bonus:
        value = _dec(points, "加分")
        if value <= 0:
            raise ValueError(f"加分应为正数，得到 {points!r}")
        if sheet.bonus_reason_required and not str(reason or "").strip():
            raise ValueError("加分须写明理由（得到认可的业绩或创新）")
        items.append((float(value), str(reason)))
    if items and sheet.bonus_cap == 0:
        raise ValueError(f"评分表 {sheet.id} 没有加分项")
    return min(sum((_dec(p, "加分") for p, _ in items), Decimal(0)), sheet.bonus_cap), items


def score_sheet(sheet: Sheet, item_inputs: dict[str, Any], bonus: Iterable[tuple[float, str]] = (),
                vetoes: Iterable[tuple[str, str]] = ()) -> SheetResult:
    """Score an assessment: findings per item code, bonus as (points, reason), vetoes as (code, evidence)."""
    unknown = set(item_inputs) - {it.code for it in sheet.items}
    if unknown:
        raise ValueError(f"评分表 {sheet.id} 没有这些项目：{sorted(unknown)}")
    parts = []
    for part in sheet.parts:
        scores = []
        for item in sheet.part_items(part.code):
            value = item_inputs.get(item.code)
            if item.computed in ("exam_average", "satisfaction_average"):
                scores.append(_computed_score(sheet, item, value))
            elif item.computed == "client_average":
                scores.append(_client_average(item, value))
            else:
                scores.append(score_item(item, value or {}))
        total = sum((_dec(s.score, "得分") for s in scores), Decimal(0))
        parts.append(PartResult(part.code, part.title, float(part.max), float(total), scores))
    base = sum((_dec(p.score, "得分") for p in parts), Decimal(0))
    bonus_total, bonus_items = _bonus(sheet, bonus)
    cap = sheet.settings.get("total_cap") or sheet.total
    final = min(_dec(cap, "总分上限"), base + bonus_total)
    grounds = {v.code: v for v in sheet.vetoes}
    chosen = []
    for code, evidence in vetoes:
        if code not in grounds:
            raise ValueError(f"评分表 {sheet.id} 没有一票否决项 {code!r}；可用：{sorted(grounds)}")
        if grounds[code].evidence_required and not str(evidence or "").strip():
            raise ValueError(f"一票否决项 {code}（{grounds[code].source}）须附证据")
        chosen.append((code, str(evidence)))
    hint = sheet.veto_grade if chosen else band_for(sheet, final).name
    return SheetResult(parts, float(base), float(bonus_total), float(final), bool(chosen), hint, chosen,
                       bonus_items)


def expert_item_results(sheet: Sheet, item_inputs: dict[str, Any]) -> dict[str, ItemScore]:
    """One expert's result (score, deductions, explanation) for every item scored from findings."""
    out = {}
    for item in sheet.items:
        if item.computed in ("exam_average", "satisfaction_average"):
            continue
        value = item_inputs.get(item.code)
        out[item.code] = (_client_average(item, value) if item.computed == "client_average"
                          else score_item(item, value or {}))
    return out


def expert_item_scores(sheet: Sheet, item_inputs: dict[str, Any]) -> dict[str, float]:
    """One expert's score for every item scored from findings (all but the exam and the satisfaction survey)."""
    return {code: r.score for code, r in expert_item_results(sheet, item_inputs).items()}


def measured_item_score(sheet: Sheet, item: Item, value: Any) -> ItemScore:
    """The score of an item measured rather than inspected: the staff exam or the satisfaction survey."""
    return _computed_score(sheet, item, value)
