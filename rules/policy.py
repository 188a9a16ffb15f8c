"""Scoring sheets (评分表) as policy data: load a city's YAML sheet, check it, and expose typed objects.

A sheet is the only place a city's scoring rule lives (`policies/<city>/*.yaml`); the engine in
`rules/scoring.py` reads any sheet. Numbers are read as `Decimal` so that 0.5-point deductions stay exact.
`load_sheet` refuses a sheet with every problem listed, each naming where it is.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
RULE_TYPES = ("per_finding", "fixed", "zero_out", "discretionary")
COMPUTED = ("exam_average", "satisfaction_average", "client_average")
# Facts the platform holds about an agency that a rule may show to the experts (workflows/grading_facts.py)
PLATFORM_FACTS = ("registered_staff_count", "uploaded_contracts", "uploaded_hazards")
SETTING_DEFAULTS = {"floor_at_zero": True, "total_cap": None, "panel_disagreement_fraction": Decimal("0.2"),
                    "exam_sample_fraction": Decimal("0.5"), "exam_pass_mark": Decimal(60), "panel_mode": "mean"}


class SheetError(ValueError):
    """A sheet that cannot be used; `problems` lists every problem found."""

    def __init__(self, origin: str, problems: list[str]):
        super().__init__(f"评分表 {origin} 无效：" + "；".join(problems))
        self.origin, self.problems = origin, problems


@dataclass(frozen=True)
class Rule:
    """One deduction rule of an item; `points` is the maximum for a discretionary rule, None for zero_out."""

    type: str
    finding: str
    points: Decimal | None
    source: str
    text: str = ""
    group: str | None = None
    platform_fact: str | None = None  # a fact the platform already holds about the agency (PLATFORM_FACTS)
    platform_below: Decimal | None = None  # the finding applies when that fact is below this number


@dataclass(frozen=True)
class Item:
    """One row of the table (序号 `seq`), scored from findings or computed from other inputs."""

    code: str
    seq: int
    part: str
    title: str
    max: Decimal
    source: str
    text: str
    rules: tuple[Rule, ...] = ()
    cap: Decimal | None = None
    group_caps: dict[str, Decimal] = field(default_factory=dict)
    computed: str | None = None
    floor_at_zero: bool = True
    label: str = ""


@dataclass(frozen=True)
class Part:
    """A part of the sheet (e.g. 基础管理 20)."""

    code: str
    title: str
    max: Decimal
    source: str


@dataclass(frozen=True)
class Band:
    """A grade or star band: scores ≥ `min` (and below the next band up) get `name`."""

    name: str
    min: Decimal
    from_standard: bool
    source: str
    note: str = ""


@dataclass(frozen=True)
class Veto:
    """A 一票否决 ground; choosing it needs evidence when `evidence_required`."""

    code: str
    text: str
    source: str
    evidence_required: bool = True


@dataclass(frozen=True)
class FormItem:
    """One line of a rater's evaluation form (e.g. 附件4 合规执业, 2 points)."""

    code: str
    max: Decimal
    source: str
    text: str = ""


@dataclass(frozen=True)
class Sheet:
    """A whole scoring sheet with its settings; `raw` keeps the YAML for display."""

    id: str
    name: str
    source: str
    total: Decimal
    parts: tuple[Part, ...]
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    bonus_cap: Decimal
    bonus_reason_required: bool
    vetoes: tuple[Veto, ...]
    veto_grade: str | None
    form_items: tuple[FormItem, ...]
    settings: dict[str, Any]
    raw: dict = field(repr=False, compare=False, default_factory=dict)

    def item(self, code: str) -> Item:
        """The item with this code (KeyError when unknown)."""
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(f"评分表 {self.id} 没有第 {code} 项")

    def part_items(self, part_code: str) -> list[Item]:
        """The items of one part, in sheet order."""
        return [it for it in self.items if it.part == part_code]


class _Reader:
    """Collects problems while reading raw YAML so that all of them are reported at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")

    def text(self, d: dict, key: str, where: str, required: bool = True) -> str:
        value = d.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, f"缺少 `{key}`")
            return ""
        if not isinstance(value, (str, int)):
            self.fail(where, f"`{key}` 应为文字，得到 {value!r}")
            return ""
        return str(value)

    def num(self, d: dict, key: str, where: str, required: bool = True, positive: bool = False):
        value = d.get(key)
        if value is None:
            if required:
                self.fail(where, f"缺少 `{key}`")
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(where, f"`{key}` 应为数字，得到 {value!r}")
            return None
        if number < 0 or (positive and number == 0):
            self.fail(where, f"`{key}` 应为{'正数' if positive else '非负数'}，得到 {value!r}")
            return None
        return number


def _rule(r: _Reader, raw: Any, where: str, item_max: Decimal | None) -> Rule | None:
    if not isinstance(raw, dict):
        r.fail(where, "规则应为映射 {type, finding, points, source}")
        return None
    kind = raw.get("type")
    if kind not in RULE_TYPES:
        r.fail(where, f"未知的规则类型 {kind!r}（可用：{', '.join(RULE_TYPES)}）")
        return None
    points = None if kind == "zero_out" else r.num(raw, "points", where, positive=True)
    if kind == "zero_out" and raw.get("points") is not None:
        r.fail(where, "zero_out（不得分）规则不应有 `points`")
    if points is not None and item_max is not None and points > item_max:
        r.fail(where, f"扣分 {points} 超过该项满分 {item_max}")
    fact, below = None, None
    if raw.get("platform") is not None:
        spec = raw["platform"] if isinstance(raw["platform"], dict) else {}
        fact = spec.get("fact")
        if fact not in PLATFORM_FACTS:
            r.fail(where, f"未知的平台数据 {fact!r}（可用：{', '.join(PLATFORM_FACTS)}）")
        below = r.num(spec, "below", where, required=False, positive=True)
    return Rule(kind, r.text(raw, "finding", where), points, r.text(raw, "source", where),
                r.text(raw, "text", where, required=False), raw.get("group"), fact, below)


def _item(r: _Reader, raw: Any, where: str, settings: dict) -> Item | None:
    if not isinstance(raw, dict):
        r.fail(where, "项目应为映射")
        return None
    code = r.text(raw, "code", where)
    where = f"{where} ({code})"
    maximum = r.num(raw, "max", where, positive=True)
    computed = raw.get("computed")
    if computed is not None and computed not in COMPUTED:
        r.fail(where, f"未知的 computed {computed!r}（可用：{', '.join(COMPUTED)}）")
    raw_rules, raw_caps = raw.get("rules") or [], raw.get("group_caps") or {}
    if not isinstance(raw_rules, list) or not isinstance(raw_caps, dict):
        r.fail(where, "`rules` 应为列表，`group_caps` 应为映射")
        raw_rules, raw_caps = [], {}
    rules = [_rule(r, x, f"{where} rules[{i}]", maximum) for i, x in enumerate(raw_rules)]
    rules = [x for x in rules if x is not None]
    if computed in ("exam_average", "satisfaction_average") and rules:
        r.fail(where, f"computed: {computed} 的项目不应有扣分规则")
    if computed not in ("exam_average", "satisfaction_average") and not rules:
        r.fail(where, "没有扣分规则，也没有 computed")
    findings = [x.finding for x in rules]
    for dup in {f for f in findings if findings.count(f) > 1}:
        r.fail(where, f"重复的 finding {dup!r}")
    cap = r.num(raw, "cap", where, required=False, positive=True)
    if cap is not None and maximum is not None and cap > maximum:
        r.fail(where, f"cap {cap} 超过满分 {maximum}")
    group_caps = {str(k): r.num(raw_caps, k, where, positive=True) for k in raw_caps}
    for g in {x.group for x in rules if x.group} - set(group_caps):
        r.fail(where, f"规则分组 {g!r} 没有 group_caps")
    seq = raw.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        r.fail(where, f"`seq`（表中序号）应为整数，得到 {seq!r}")
    return Item(code, seq if isinstance(seq, int) else 0, str(raw.get("part", "")),
                r.text(raw, "title", where), maximum or Decimal(0), r.text(raw, "source", where),
                r.text(raw, "text", where), tuple(rules), cap, group_caps, computed,
                bool(settings["floor_at_zero"]), str(raw.get("label") or ""))


def _settings(r: _Reader, raw: Any) -> dict[str, Any]:
    values = dict(SETTING_DEFAULTS)
    for key, entry in (raw or {}).items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        if isinstance(entry, dict) and "source" not in entry:
            r.fail(f"settings.{key}", "缺少 `source`")
        values[key] = Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else value
    return values


def parse_sheet(data: Any, origin: str = "<sheet>") -> Sheet:
    """Build a Sheet from YAML data, or raise SheetError listing every problem."""
    r = _Reader()
    if not isinstance(data, dict):
        raise SheetError(origin, ["顶层应为映射"])
    scheme = data.get("scheme") or {}
    sheet_id, name = r.text(scheme, "id", "scheme"), r.text(scheme, "name", "scheme")
    source = r.text(scheme, "source", "scheme")
    total = r.num(scheme, "total", "scheme", positive=True) or Decimal(0)
    settings = _settings(r, data.get("settings"))
    parts = tuple(Part(r.text(p, "code", f"parts[{i}]"), r.text(p, "title", f"parts[{i}]"),
                       r.num(p, "max", f"parts[{i}]", positive=True) or Decimal(0),
                       r.text(p, "source", f"parts[{i}]"))
                  for i, p in enumerate(data.get("parts") or []) if isinstance(p, dict))
    if not parts:
        r.fail("parts", "至少需要一个部分")
    if sum(p.max for p in parts) != total:
        r.fail("parts", f"各部分满分之和 {sum(p.max for p in parts)} 不等于总分 {total}")
    items = tuple(x for i, raw in enumerate(data.get("items") or [])
                  if (x := _item(r, raw, f"items[{i}]", settings)) is not None)
    codes = [it.code for it in items]
    for dup in sorted({c for c in codes if codes.count(c) > 1}):
        r.fail("items", f"重复的项目编号 {dup}")
    part_codes = {p.code for p in parts}
    for it in items:
        if it.part not in part_codes:
            r.fail(f"items ({it.code})", f"所属部分 {it.part!r} 不存在")
    for p in parts:
        got = sum(it.max for it in items if it.part == p.code)
        if got != p.max:
            r.fail(f"parts ({p.code} {p.title})", f"所含项目满分之和 {got} 不等于该部分满分 {p.max}")
    bands = tuple(Band(str(b.get("name")), r.num(b, "min", f"bands[{i}]") or Decimal(0),
                       bool(b.get("from_standard")), r.text(b, "source", f"bands[{i}]"),
                       str(b.get("note") or ""))
                  for i, b in enumerate(data.get("bands") or []) if isinstance(b, dict))
    lows = [b.min for b in bands]
    if not bands or lows != sorted(set(lows), reverse=True) or lows[-1] != 0:
        r.fail("bands", "等级应按下限从高到低排列、下限互不相同，且最后一档下限为0")
    for b in bands:
        if not b.from_standard and "默认值" not in b.note:
            r.fail(f"bands ({b.name})", "非标准规定的等级须在 note 中注明“默认值，非标准规定”")
    bonus = data.get("bonus") or {}
    bonus_cap = r.num(bonus, "cap", "bonus", required=False) or Decimal(0)
    if bonus_cap and not bonus.get("source"):
        r.fail("bonus", "缺少 `source`")
    vetoes = tuple(Veto(r.text(v, "code", f"vetoes[{i}]"), r.text(v, "text", f"vetoes[{i}]"),
                        r.text(v, "source", f"vetoes[{i}]"), bool(v.get("evidence_required", True)))
                   for i, v in enumerate(data.get("vetoes") or []) if isinstance(v, dict))
    if vetoes and not data.get("veto_grade"):
        r.fail("veto_grade", "有一票否决项时必须给出否决后的等级")
    form = data.get("evaluation_form") or {}
    form_items = tuple(FormItem(r.text(f, "code", f"evaluation_form.items[{i}]"),
                                r.num(f, "max", f"evaluation_form.items[{i}]", positive=True) or Decimal(0),
                                r.text(f, "source", f"evaluation_form.items[{i}]"), str(f.get("text") or ""))
                       for i, f in enumerate(form.get("items") or []) if isinstance(f, dict))
    for it in items:
        if it.computed == "satisfaction_average" and form_items and sum(f.max for f in form_items) != it.max:
            r.fail(f"evaluation_form ({it.code})", f"评议表各项满分之和不等于该项满分 {it.max}")
    if r.problems:
        raise SheetError(origin, r.problems)
    return Sheet(sheet_id, name, source, total, parts, items, bands, bonus_cap,
                 bool(bonus.get("reason_required", True)), vetoes, data.get("veto_grade"), form_items,
                 settings, data)


def load_sheet(path: str | Path) -> Sheet:
    """Read and check one sheet file (YAML)."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        return parse_sheet(yaml.safe_load(fh), origin=str(path))


@lru_cache(maxsize=16)
def shipped_sheet(name: str) -> Sheet:
    """A sheet shipped under policies/, by relative name such as 'linyi/grading_sheet'."""
    return load_sheet(POLICY_DIR / f"{name}.yaml")


def grading_schemes() -> dict[str, str]:
    """Grading schemes shipped under policies/ (a sheet whose `scheme` names its `key` and `process`): key → sheet."""
    out = {}
    for path in sorted(POLICY_DIR.glob("*/*_sheet.yaml")):
        with path.open(encoding="utf-8") as fh:
            scheme = (yaml.safe_load(fh) or {}).get("scheme") or {}
        if scheme.get("key") and scheme.get("process"):
            out[str(scheme["key"])] = f"{path.parent.name}/{path.stem}"
    return out
