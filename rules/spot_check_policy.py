"""Per-city spot-check policy (`policies/<key>/spot_checks.yaml`) and 武进 成长值 (`growth_value.yaml`).

Every setting is `{value, basis}` and every focus point cites its article; a city without the file has no
spot checks (the pages say so). The 成长值 table is the platform's default, each row labelled as such.
"""
import math
import random
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from rules.city_policy import POLICY_ROOT, PolicyError, Settings

SETTINGS = {"ratio": str, "round_period": str, "report_to_city": bool, "unannounced": bool,
            "interview_ground": str, "findings_basis": str}
RESULTS = (("compliant", "符合"), ("minor", "一般问题"), ("serious", "严重问题"), ("na", "不适用"))
PROBLEM_RESULTS = ("minor", "serious")


@dataclass(frozen=True)
class GrowthValue:
    """武进 成长值: a base score and a deduction per finding by severity (defaults, non-standard)."""

    title: str
    source: str
    base: int
    base_basis: str
    deductions: tuple

    def score(self, findings: list[dict]) -> dict:
        """The score from a list of findings (`result` per focus point), with each deduction explained."""
        table = {d["result"]: d for d in self.deductions}
        lines = [dict(table[f["result"]], focus=f.get("focus_title", ""), project=f.get("project", ""))
                 for f in findings if f.get("result") in table]
        return {"title": self.title, "base": self.base, "total": self.base - sum(int(x["points"]) for x in lines),
                "lines": lines, "basis": self.base_basis}


@dataclass(frozen=True)
class SpotCheckPolicy:
    """A city's spot-check rules: sampling ratio, period, focus points and where findings lead."""

    key: str
    title: str
    settings: Settings
    focus_points: tuple
    growth: GrowthValue | None

    @property
    def ratio(self) -> Decimal:
        """The sampling share of an agency's projects (e.g. 0.3)."""
        return Decimal(self.settings["ratio"])


def draw_projects(project_ids: list[int], seed: int, ratio: Decimal) -> list[int]:
    """Draw ⌈ratio × projects⌉ projects (at least one), reproducible from `seed` whatever the input order."""
    if not project_ids:
        return []
    ids = sorted(set(project_ids))
    size = min(len(ids), max(1, math.ceil(ratio * len(ids))))
    return sorted(random.Random(seed).sample(ids, size))


def validate(data: dict) -> list[str]:
    """Problems of a spot_checks.yaml: every setting typed with a basis, four cited focus points."""
    errors, settings = [], (data or {}).get("settings") or {}
    for name, kind in SETTINGS.items():
        item = settings.get(name)
        if not isinstance(item, dict) or "value" not in item or not str(item.get("basis") or "").strip():
            errors.append(f"settings.{name} 须有 value 与 basis")
        elif not isinstance(item["value"], kind):
            errors.append(f"settings.{name} 的取值类型不正确")
    try:
        ratio = Decimal(str((settings.get("ratio") or {}).get("value")))
        if not 0 < ratio <= 1:
            errors.append("settings.ratio 应在 (0, 1] 之间")
    except InvalidOperation:
        errors.append("settings.ratio 不是数字")
    points = (data or {}).get("focus_points") or []
    if not points or any(not (p.get("code") and p.get("title") and p.get("source")) for p in points):
        errors.append("focus_points 每项须有 code、title、source")
    return errors


def _read(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc


def _growth(path: Path) -> GrowthValue | None:
    if not path.exists():
        return None
    data = _read(path)
    rows = tuple(dict(r) for r in data.get("deductions") or [])
    if any(not str(r.get("basis") or "").strip() or r.get("result") not in PROBLEM_RESULTS for r in rows):
        raise PolicyError(f"{path}: 每行须有 result（minor/serious）与 basis")
    return GrowthValue(title=data["title"], source=data["source"], base=int(data["base"]["value"]),
                       base_basis=str(data["base"]["basis"]), deductions=rows)


@lru_cache(maxsize=16)
def load_spot_checks(key: str, root: str | None = None) -> SpotCheckPolicy | None:
    """The checked, cached spot-check policy of a city by key, or None where the city has none."""
    base = Path(root or POLICY_ROOT) / key
    path = base / "spot_checks.yaml"
    if not path.exists():
        return None
    data = _read(path)
    errors = validate(data)
    if errors:
        raise PolicyError(f"{path}: " + "; ".join(errors))
    return SpotCheckPolicy(key=key, title=data["title"], settings=Settings(data["settings"]),
                           focus_points=tuple(dict(p) for p in data["focus_points"]),
                           growth=_growth(base / "growth_value.yaml"))


def half_year_bounds(label: str):
    """First and last day of '2026H1'/'2026H2'; ValueError (Chinese) for any other label."""
    from datetime import date
    text = str(label or "").strip().upper()
    if len(text) != 6 or not text[:4].isdigit() or text[4:] not in ("H1", "H2"):
        raise ValueError("半年度应为年份加 H1 或 H2（如 2026H1 为上半年）")
    year = int(text[:4])
    return (date(year, 1, 1), date(year, 6, 30)) if text[5] == "1" else (date(year, 7, 1), date(year, 12, 31))


def half_year_name(label: str) -> str:
    """'2026H1' → '2026年上半年'."""
    text = str(label).strip().upper()
    return f"{text[:4]}年{'上' if text.endswith('1') else '下'}半年"
