"""Per-city day-to-day supervision settings (`policies/<key>/supervision.yaml`): staff roster and contract filing.

Kept beside city.yaml, not inside it, so each group of settings is one small cited file. Every setting is
`{value, basis}`; a missing setting or basis is an error on load, like city.yaml.
"""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from rules.city_policy import POLICY_ROOT, PolicyError, Settings

REQUIRED = {
    "staff": {"employee_min_insured_months": int, "duplicate_roster": str, "certificate_warning_days": int,
              "exam_required_before_service": bool},
    "contracts": {"filing_days": (int, type(None)), "filing_day_kind": str},
}
CHOICES = {("staff", "duplicate_roster"): ("flag", "refuse"), ("contracts", "filing_day_kind"): ("calendar", "working")}


@dataclass(frozen=True)
class Supervision:
    """The staff and contract settings of one city; `staff.basis(name)` cites each."""

    staff: Settings
    contracts: Settings


def validate(data: dict) -> list[str]:
    """Problems of a supervision.yaml: each group and setting present, typed, with a basis."""
    errors = []
    for group, names in REQUIRED.items():
        rows = (data or {}).get(group)
        if not isinstance(rows, dict):
            errors.append(f"缺少 {group}")
            continue
        for name, kind in names.items():
            item = rows.get(name)
            if not isinstance(item, dict) or "value" not in item or not str(item.get("basis") or "").strip():
                errors.append(f"{group}.{name} 须有 value 与 basis")
            elif not isinstance(item["value"], kind) or (kind is int and isinstance(item["value"], bool)):
                errors.append(f"{group}.{name} 的取值类型不正确")
            elif (group, name) in CHOICES and item["value"] not in CHOICES[(group, name)]:
                errors.append(f"{group}.{name} 只能取 {'、'.join(CHOICES[(group, name)])}")
    return errors


@lru_cache(maxsize=16)
def load_supervision(key: str, root: str | None = None) -> Supervision:
    """The checked, cached supervision settings of a city by key ('wujin')."""
    path = Path(root or POLICY_ROOT) / key / "supervision.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    errors = validate(data)
    if errors:
        raise PolicyError(f"{path}: " + "; ".join(errors))
    return Supervision(staff=Settings(data["staff"]), contracts=Settings(data["contracts"]))


def city_supervision(settings) -> Supervision:
    """The deployment city's supervision settings from the app config."""
    return load_supervision(settings["CITY_POLICY"].key)
