"""Per-city policy data (`policies/<key>/city.yaml`): units, materials, grounds and settings, each row cited.

The YAML is checked on load: every row needs a `source` naming a document the file declares, every setting
a `basis`, and unit codes must be 6-digit GB/T 2260 codes under the city. See docs in the YAML headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rules.policy_schema import PolicyError, validate_policy

POLICY_ROOT = Path(__file__).resolve().parent.parent / "policies"
_TAG = re.compile(r"\[([A-Za-z0-9]+)\]\s*")

__all__ = [
    "POLICY_ROOT",
    "CityPolicy",
    "Commitment",
    "PolicyError",
    "Settings",
    "clear_cache",
    "list_cities",
    "load_city",
]


class Settings(Mapping[str, Any]):
    """A read-only group of settings: `group.name` or `group["name"]` is the value, `group.basis(name)` its source."""

    def __init__(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        object.__setattr__(
            self, "_items", {k: (_freeze(v["value"]), str(v["basis"])) for k, v in items.items()}
        )

    def __getitem__(self, name: str) -> Any:
        return self._items[name][0]

    def __getattr__(self, name: str) -> Any:
        try:
            return self._items[name][0]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("policy settings are read-only")

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Settings({ {k: v for k, (v, _) in self._items.items()} })"

    def basis(self, name: str) -> str:
        """Where the setting comes from (a citation or a labelled platform default)."""
        return self._items[name][1]


@dataclass(frozen=True)
class Commitment:
    """The 承诺书: iterating yields the point texts in order; `.points` keeps each point's code and source."""

    title: str
    preamble: str
    source: str
    points: tuple[dict, ...]

    def __iter__(self) -> Iterator[str]:
        return (p["text"] for p in self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> str:
        return self.points[index]["text"]


@dataclass(frozen=True, eq=False)
class CityPolicy:
    """One deployment city's rules as data. Row collections are tuples of plain dicts: treat them as read-only."""

    key: str
    code: str
    name: str
    bureau_name: str
    parent_code: str | None
    parent_name: str | None
    documents: Mapping[str, Mapping[str, Any]]
    rules_validity: Mapping[str, Any]
    units: tuple[dict, ...]
    registration: Mapping[str, Any]
    registration_materials: tuple[dict, ...]
    commitment: Commitment
    interview_grounds: tuple[dict, ...]
    interview: Settings
    blacklist_subject: str
    blacklist_grounds: tuple[dict, ...]
    blacklist: Settings
    barred_services_on_poor_grade: tuple[dict, ...]
    notes: Mapping[str, str]
    reports: Any = None  # rules.report_policy.ReportPolicy from reports.yaml; None where the city has none

    @property
    def commitment_points(self) -> tuple[dict, ...]:
        """The 承诺书 points with their codes and sources, in order."""
        return self.commitment.points

    def unit_rows(self) -> list[tuple[str, str, str | None, str]]:
        """(code, name, parent_code, level) for the unit table: the city first (no parent row), then its units."""
        return [(self.code, self.name, None, "city")] + [
            (u["code"], u["name"], self.code, "county") for u in self.units
        ]

    @property
    def effective_from(self) -> date | None:
        """First day the city's rules apply (None when the seed gives no date)."""
        return self.rules_validity.get("effective_from")

    @property
    def effective_to(self) -> date | None:
        """Last day the city's rules apply (None: no end date)."""
        return self.rules_validity.get("effective_to")

    def in_force(self, on: date) -> bool:
        """Whether the city's rules are within their stated validity on `on` (unknown bounds count as open)."""
        start, end = self.effective_from, self.effective_to
        return (start is None or on >= start) and (end is None or on <= end)

    def lapsed(self, on: date) -> bool:
        """Whether the rules' stated validity ended before `on` (晋城: 有效期两年, [JC] 第二十二条)."""
        return self.effective_to is not None and on > self.effective_to

    def document_validity(self, tag: str) -> tuple[date | None, date | None, str | None]:
        """(from, to, source) of a cited document: its own `effective_from/to`, else `rules_validity` where that
        clause belongs to this document (晋城 [JC] 第二十二条)."""
        doc = self.documents.get(tag) or {}
        if "effective_to" in doc or "effective_from" in doc:
            return doc.get("effective_from"), doc.get("effective_to"), doc.get("validity_source")
        source = str(self.rules_validity.get("source") or "")
        if _TAG.match(source) and _TAG.match(source).group(1) == tag:
            return self.effective_from, self.effective_to, source
        return None, None, None

    def document_lapsed(self, tag: str, on: date) -> bool:
        """Whether the document's stated validity ended before `on`."""
        end = self.document_validity(tag)[1]
        return end is not None and on > end

    def unit(self, code: str) -> dict:
        """The county/district row with this code (KeyError if not one of this city's units)."""
        for row in self.units:
            if row["code"] == code:
                return row
        raise KeyError(code)

    def review_units(self) -> tuple[dict, ...]:
        """Units that review cases: the counties, or the city bureau itself where no lower tier is modelled (武进)."""
        return self.units or (
            {"code": self.code, "name": self.name, "parent_code": self.parent_code, "source": "city"},
        )

    def row(self, code: str) -> dict:
        """Any cited row (ground, commitment point, barred service, material kind) by its code."""
        for rows in (
            self.interview_grounds,
            self.blacklist_grounds,
            self.commitment_points,
            self.barred_services_on_poor_grade,
        ):
            for r in rows:
                if r["code"] == code:
                    return r
        for m in self.registration_materials:
            if m["kind"] == code:
                return m
        raise KeyError(code)

    def cite(self, source: str | Mapping[str, Any]) -> str:
        """A source such as "[JC] 第十七条(一)" written out for a document: "《晋城市…办法(试行)》第十七条(一)"."""
        text = source["source"] if isinstance(source, Mapping) else source
        return _TAG.sub(
            lambda m: (
                str(self.documents[m.group(1)]["title"]) if m.group(1) in self.documents else m.group(0)
            ),
            text,
        )


def _freeze(value: Any) -> Any:
    """Lists become tuples so cached settings cannot be changed in place."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _rows(items: list[dict] | None, **defaults: Any) -> tuple[dict, ...]:
    return tuple({**defaults, **item} for item in (items or []))


def _build(data: dict) -> CityPolicy:
    city, reg = data["city"], data["registration"]
    c = reg["commitment"]
    commitment = Commitment(
        title=c["title"], preamble=c.get("preamble", ""), source=c["source"], points=_rows(c["points"])
    )
    notes = {k: str(v).strip() for k, v in data.items() if k.endswith("_note")}
    return CityPolicy(
        key=data["key"],
        code=str(city["code"]),
        name=city["name"],
        bureau_name=city["bureau_name"],
        parent_code=city.get("parent_code"),
        parent_name=city.get("parent_name"),
        documents=data["documents"],
        rules_validity=data["rules_validity"],
        units=_rows(data["units"], parent_code=str(city["code"]), level="county"),
        registration={k: v for k, v in reg.items() if k not in ("materials", "commitment")},
        registration_materials=_rows(reg["materials"], when=None, note=""),
        commitment=commitment,
        interview_grounds=_rows(data["interview_grounds"]),
        interview=Settings(data["interview"]),
        blacklist_subject=data.get("blacklist_subject", ""),
        blacklist_grounds=_rows(data["blacklist_grounds"]),
        blacklist=Settings(data["blacklist"]),
        barred_services_on_poor_grade=_rows(data.get("barred_services_on_poor_grade")),
        notes=notes,
    )


def _read(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: not a YAML mapping")
    return data


def list_cities(root: str | Path | None = None) -> list[str]:
    """Keys of the cities that ship policy data ('jincheng', 'jiaxing', 'linyi', 'wujin')."""
    base = Path(root) if root else POLICY_ROOT
    return sorted(p.parent.name for p in base.glob("*/city.yaml"))


@lru_cache(maxsize=32)
def _load(key: str, base: Path) -> CityPolicy:
    path = base / key / "city.yaml"
    data = _read(path)
    errors = validate_policy(data, key)
    if errors:
        raise PolicyError(f"{path}: " + "; ".join(errors))
    policy = _build(data)
    reports = base / key / "reports.yaml"
    if reports.exists():
        policy = _with_reports(policy, data, _read(reports), reports)
    return policy


def _with_reports(policy: CityPolicy, city_data: dict, data: dict, path: Path) -> CityPolicy:
    """The city's policy with its periodic report (`reports.yaml`, checked against the city's documents)."""
    from dataclasses import replace

    from rules.policy_schema import validate_reports
    from rules.report_policy import build_report_policy

    grounds = {g["code"] for g in policy.interview_grounds}
    errors = validate_reports(data, policy.key, city_data.get("documents") or {}, grounds)
    if errors:
        raise PolicyError(f"{path}: " + "; ".join(errors))
    return replace(policy, reports=build_report_policy(data))


def load_city(code_or_key: str, root: str | Path | None = None) -> CityPolicy:
    """The checked, cached policy of a city by key ('jincheng') or 6-digit code ('140500')."""
    base = (Path(root) if root else POLICY_ROOT).resolve()
    wanted = str(code_or_key).strip()
    if wanted in list_cities(base):  # by key: never reads the other cities' files
        return _load(wanted, base)
    index = _index(base)
    key = index.get(wanted)
    if key is None:
        raise PolicyError(f"没有城市政策数据：{wanted}（可选：{', '.join(sorted(index.values()))}）")
    return _load(key, base)


@lru_cache(maxsize=8)
def _index(base: Path) -> dict[str, str]:
    """City code -> key for every city under `base`."""
    return {
        str((_read(base / key / "city.yaml").get("city") or {}).get("code")): key for key in list_cities(base)
    }


def clear_cache() -> None:
    """Forget loaded policies (after a bureau edits its YAML; tests)."""
    _load.cache_clear()
    _index.cache_clear()
