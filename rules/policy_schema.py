"""The shape a `policies/<key>/city.yaml` must have: every row cited, every setting with its basis."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

CONDITIONS = frozenset({"qualification_required"})  # registration form fields a material may depend on
REGISTRATION_MODES = frozenset({"bureau_filing", "client_disclosure", "conditions_only"})
UNIT_SOURCE = "GB/T 2260"
_CODE6 = re.compile(r"^\d{6}$")
_TAG = re.compile(r"\[([A-Za-z0-9]+)\]")

# setting name -> (check, description) for the settings the platform relies on
_REQUIRED_SETTINGS: dict[str, dict[str, tuple[Any, str]]] = {
    "interview": {
        "reminder_working_days_before": (lambda v: _is_int(v) and v >= 0, "a whole number ≥ 0"),
        "publish_bulletin": (lambda v: isinstance(v, bool), "true or false"),
        "attendees_required": (
            lambda v: isinstance(v, list) and v and all(isinstance(x, str) for x in v),
            "a non-empty list of roles",
        ),
        "rectification_working_days": (lambda v: _is_int(v) and v > 0, "a whole number > 0"),
        "legal_basis": (lambda v: isinstance(v, str) and v.strip() != "", "a citation"),
    },
    "blacklist": {
        "period_years": (
            lambda v: v is None or (_is_int(v) and v > 0),
            "a whole number > 0, or null (until lifted)",
        ),
        "early_removal_after_months": (lambda v: _is_int(v) and v > 0, "a whole number > 0"),
        "defence_window_working_days": (lambda v: _is_int(v) and v > 0, "a whole number > 0"),
        "requires_penalty_decision": (lambda v: isinstance(v, bool), "true or false"),
        "legal_basis": (lambda v: isinstance(v, str) and v.strip() != "", "a citation"),
    },
}


class PolicyError(ValueError):
    """A city's policy data is missing, malformed or uncited."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(v: Any) -> bool:
    return isinstance(v, str) and v.strip() != ""


def _check_source(where: str, source: Any, docs: dict, errors: list[str], *, unit: bool = False) -> None:
    """A source must name a document of this file ([TAG] …), or GB/T 2260 for units."""
    if not _text(source):
        errors.append(f"{where}: missing source")
        return
    tags = _TAG.findall(source)
    if unit and not tags:
        if not source.startswith(UNIT_SOURCE):
            errors.append(f"{where}: unit source must be {UNIT_SOURCE}")
        return
    if not tags:
        errors.append(f"{where}: source {source!r} names no document tag such as [JC]")
    errors.extend(f"{where}: source tag [{t}] is not in documents" for t in tags if t not in docs)


def _check_rows(
    where: str, rows: Any, docs: dict, seen: set[str], errors: list[str], key: str = "code"
) -> None:
    """Rows: a list of mappings, each with a unique key, a title, the seed text and a source."""
    if not isinstance(rows, list):
        errors.append(f"{where}: must be a list")
        return
    for i, row in enumerate(rows):
        at = f"{where}[{i}]"
        if not isinstance(row, dict):
            errors.append(f"{at}: must be a mapping")
            continue
        code = row.get(key)
        if not _text(code):
            errors.append(f"{at}: missing {key}")
        elif code in seen:
            errors.append(f"{at}: duplicate {key} {code!r}")
        else:
            seen.add(code)
        for field in ("title", "text"):
            if not _text(row.get(field)):
                errors.append(f"{at}: missing {field}")
        _check_source(at, row.get("source"), docs, errors)


def _check_materials(rows: Any, docs: dict, errors: list[str]) -> None:
    where = "registration.materials"
    _check_rows(where, rows, docs, set(), errors, key="kind")
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        if not isinstance(row, dict):
            continue
        if not isinstance(row.get("required"), bool):
            errors.append(f"{where}[{i}]: required must be true or false")
        when = row.get("when")
        if when is not None and (when not in CONDITIONS or row.get("required") is not False):
            errors.append(f"{where}[{i}]: when must be one of {sorted(CONDITIONS)} with required: false")


def _check_units(city_code: str, rows: Any, errors: list[str]) -> None:
    if not isinstance(rows, list):
        errors.append("units: must be a list")
        return
    seen: set[str] = set()
    for i, row in enumerate(rows):
        at = f"units[{i}]"
        code = str(row.get("code", "")) if isinstance(row, dict) else ""
        if not _CODE6.match(code) or code.endswith("00") or code[:4] != city_code[:4] or code == city_code:
            errors.append(f"{at}: {code!r} is not a 6-digit GB/T 2260 county code under {city_code}")
        if code in seen:
            errors.append(f"{at}: duplicate code {code}")
        seen.add(code)
        if not isinstance(row, dict) or not _text(row.get("name")):
            errors.append(f"{at}: missing name")
        _check_source(at, row.get("source") if isinstance(row, dict) else None, {}, errors, unit=True)


def _check_settings(group: str, items: Any, errors: list[str]) -> None:
    if not isinstance(items, dict):
        errors.append(f"{group}: must be a mapping of settings")
        return
    for name, setting in items.items():
        if not isinstance(setting, dict) or "value" not in setting or not _text(setting.get("basis")):
            errors.append(f"{group}.{name}: must be {{value, basis}} with a non-empty basis")
    for name, (ok, wants) in _REQUIRED_SETTINGS.get(group, {}).items():
        setting = items.get(name)
        if not isinstance(setting, dict) or "value" not in setting:
            errors.append(f"{group}.{name}: required setting is missing")
        elif not ok(setting["value"]):
            errors.append(f"{group}.{name}: must be {wants}")


def _check_validity(v: Any, docs: dict, errors: list[str]) -> None:
    if not isinstance(v, dict):
        errors.append("rules_validity: must be a mapping")
        return
    for k in ("effective_from", "effective_to"):
        if v.get(k) is not None and not isinstance(v[k], date):
            errors.append(f"rules_validity.{k}: must be a date (YYYY-MM-DD) or null")
    start, end = v.get("effective_from"), v.get("effective_to")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.append("rules_validity: effective_to is before effective_from")
    if not _text(v.get("flag")):
        errors.append("rules_validity.flag: missing")
    _check_source("rules_validity", v.get("source"), docs, errors)


def validate_policy(data: dict, key: str) -> list[str]:
    """Every problem found in one city's policy data (empty when it is usable)."""
    errors: list[str] = []
    if data.get("key") != key:
        errors.append(f"key: must be {key!r} (the folder name)")
    city = data.get("city") if isinstance(data.get("city"), dict) else {}
    code = str(city.get("code", ""))
    if not _CODE6.match(code):
        errors.append(f"city.code: {code!r} is not a 6-digit GB/T 2260 code")
    for field in ("name", "bureau_name"):
        if not _text(city.get(field)):
            errors.append(f"city.{field}: missing")
    parent = city.get("parent_code")
    if parent is not None and (not _CODE6.match(str(parent)) or str(parent)[:2] != code[:2]):
        errors.append(f"city.parent_code: {parent!r} is not a 6-digit code in the same province")
    docs = data.get("documents") if isinstance(data.get("documents"), dict) else {}
    if not docs:
        errors.append("documents: at least one source document is required")
    errors.extend(
        f"documents.{t}: missing title" for t, d in docs.items() if not _text((d or {}).get("title"))
    )
    _check_validity(data.get("rules_validity"), docs, errors)
    _check_units(code, data.get("units"), errors)
    reg = data.get("registration") if isinstance(data.get("registration"), dict) else {}
    if reg.get("mode") not in REGISTRATION_MODES:
        errors.append(f"registration.mode: must be one of {sorted(REGISTRATION_MODES)}")
    _check_source("registration", reg.get("source"), docs, errors)
    _check_materials(reg.get("materials"), docs, errors)
    commitment = reg.get("commitment") if isinstance(reg.get("commitment"), dict) else {}
    if not _text(commitment.get("title")):
        errors.append("registration.commitment.title: missing")
    _check_source("registration.commitment", commitment.get("source"), docs, errors)
    seen: set[str] = set()
    _check_rows("registration.commitment.points", commitment.get("points"), docs, seen, errors)
    for section in ("interview_grounds", "blacklist_grounds", "barred_services_on_poor_grade"):
        _check_rows(section, data.get(section, []), docs, seen, errors)
    for i, row in enumerate(data.get("blacklist_grounds") or []):
        if isinstance(row, dict) and not _text(row.get("ban_scope")):
            errors.append(f"blacklist_grounds[{i}]: missing ban_scope")
    for group in ("interview", "blacklist"):
        _check_settings(group, data.get(group), errors)
    _check_lawfulness(data, docs, errors)
    return errors


def _check_lawfulness(data: dict, docs: dict, errors: list[str]) -> None:
    """Document validity dates; a ground's `national` names a national ground; `applies_to` is a list."""
    for tag, doc in docs.items():
        for k in ("effective_from", "effective_to"):
            if (doc or {}).get(k) is not None and not isinstance(doc[k], date):
                errors.append(f"documents.{tag}.{k}: must be a date (YYYY-MM-DD) or null")
        if (doc or {}).get("effective_to") and not _text(doc.get("validity_source")):
            errors.append(f"documents.{tag}.validity_source: missing (the clause that sets the end date)")
    rows = [r for r in data.get("blacklist_grounds") or [] if isinstance(r, dict)]
    codes = {r.get("code") for r in rows}
    for i, row in enumerate(rows):
        if row.get("national") is not None and row["national"] not in codes:
            errors.append(f"blacklist_grounds[{i}].national: {row['national']!r} is not a ground of this file")
        scope = row.get("applies_to")
        if scope is not None and not (isinstance(scope, list) and all(_text(x) for x in scope)):
            errors.append(f"blacklist_grounds[{i}].applies_to: must be a list of service categories")


REPORT_PERIODS = frozenset({"annual", "half_year"})
REPORT_COLUMN_TYPES = frozenset({"text", "date", "number"})
_REPORT_SETTINGS: dict[str, tuple[Any, str]] = {
    "due_days_after_period_end": (lambda v: _is_int(v) and v > 0, "a whole number > 0"),
    "reminder_working_days_before": (lambda v: _is_int(v) and v >= 0, "a whole number ≥ 0"),
    "correction_working_days": (lambda v: _is_int(v) and v > 0, "a whole number > 0"),
    "overdue_interview_ground": (lambda v: v is None or _text(v), "an interview ground code, or null"),
}


def validate_reports(data: dict, key: str, docs: dict, ground_codes: set[str]) -> list[str]:
    """Every problem in a city's `reports.yaml` (periodic report: period, columns, settings, each cited)."""
    errors: list[str] = []
    if data.get("key") != key:
        errors.append(f"key: must be {key!r} (the folder name)")
    report = data.get("report") if isinstance(data.get("report"), dict) else {}
    for field in ("code", "title", "text", "receiver", "table_title"):
        if not _text(report.get(field)):
            errors.append(f"report.{field}: missing")
    _check_source("report", report.get("source"), docs, errors)
    _check_source("report.footer_source", report.get("footer_source"), docs, errors)
    if report.get("period") not in REPORT_PERIODS:
        errors.append(f"report.period: must be one of {sorted(REPORT_PERIODS)}")
    columns = report.get("columns")
    if not isinstance(columns, list) or not columns:
        errors.append("report.columns: must be a non-empty list")
        columns = []
    names: set[str] = set()
    for i, col in enumerate(columns):
        at = f"report.columns[{i}]"
        if not isinstance(col, dict) or not _text(col.get("name")):
            errors.append(f"{at}: missing name")
            continue
        if col["name"] in names or col["name"] == "序号":
            errors.append(f"{at}: duplicate or reserved name {col['name']!r}")
        names.add(col["name"])
        if col.get("type") not in REPORT_COLUMN_TYPES:
            errors.append(f"{at}: type must be one of {sorted(REPORT_COLUMN_TYPES)}")
        if not isinstance(col.get("required"), bool):
            errors.append(f"{at}: required must be true or false")
        _check_source(at, col.get("source"), docs, errors)
    settings = data.get("settings")
    _check_settings("settings", settings, errors)
    for name, (ok, wants) in _REPORT_SETTINGS.items():
        setting = (settings or {}).get(name) if isinstance(settings, dict) else None
        if not isinstance(setting, dict) or "value" not in setting:
            errors.append(f"settings.{name}: required setting is missing")
        elif not ok(setting["value"]):
            errors.append(f"settings.{name}: must be {wants}")
        elif name == "overdue_interview_ground" and setting["value"] and setting["value"] not in ground_codes:
            errors.append(f"settings.{name}: {setting['value']!r} is not one of the city's interview_grounds")
    return errors
