"""A city's complaint and report rules (`policies/<key>/complaints.yaml`): channels, time limits and outcomes.

Each row carries its source ([JC] 第二十条; [WJ] 第五条; [LY23] 第十八条; [LY22] 六(四)) or a 平台默认 label
where the seeds are silent (domain.md §P13, §8). Pure data; no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .city_policy import POLICY_ROOT, PolicyError

OUTCOME_CODES = ("unfounded", "interview", "blacklist", "referred_elsewhere")
LIMIT_KEYS = ("triage", "investigate", "decide")


@dataclass(frozen=True)
class ComplaintPolicy:
    """Where and how a city takes complaints about agencies, and what they may lead to."""

    key: str
    basis: str
    intro: str
    channels: tuple[dict, ...]
    reward: dict | None
    time_limits: dict
    outcomes: tuple[dict, ...]

    def outcome_label(self, code: str | None) -> str:
        """The Chinese wording of an outcome code ('' for none)."""
        return next((o["label"] for o in self.outcomes if o["code"] == code), "")


@lru_cache(maxsize=8)
def load_complaint_policy(key: str, root: str | None = None) -> ComplaintPolicy:
    """The checked complaint policy of a city key; PolicyError (Chinese) if the file is missing or wrong."""
    path = (Path(root) if root else POLICY_ROOT) / key / "complaints.yaml"
    if not path.is_file():
        raise PolicyError(f"没有投诉举报政策数据：{key}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    outcomes = tuple(raw.get("outcomes") or ())
    if tuple(o.get("code") for o in outcomes) != OUTCOME_CODES or not all(o.get("label") for o in outcomes):
        raise PolicyError(f"{path.name}：办理结果应依次为 {'、'.join(OUTCOME_CODES)}，且每项有中文说明")
    limits = raw.get("time_limits") or {}
    for name in LIMIT_KEYS:
        row = limits.get(name) or {}
        if not isinstance(row.get("working_days"), int) or row["working_days"] < 1 or not row.get("basis"):
            raise PolicyError(f"{path.name}：time_limits.{name} 应有正整数 working_days 和 basis（出处或平台默认）")
    channels = tuple(raw.get("channels") or ())
    if not channels or not all(c.get("label") and c.get("value") and c.get("source") for c in channels):
        raise PolicyError(f"{path.name}：每个投诉举报渠道应有 label、value 和 source")
    return ComplaintPolicy(key=raw.get("key") or key, basis=str(raw.get("basis") or ""), intro=str(raw.get("intro") or ""),
                           channels=channels, reward=raw.get("reward"), time_limits=limits, outcomes=outcomes)
