"""A city's periodic business report (`policies/<key>/reports.yaml`): its period, table columns and settings.

Periods are labelled "2026" (annual, [JC] 第十五条) or "2026H1"/"2026H2" (half-yearly, [WJ] 第十五条). Pure
Python: the working-day counting is done by the caller's calendar.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

_ANNUAL = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})H([12])$")


@dataclass(frozen=True)
class ReportPolicy:
    """What a city's agencies report, how often, by when, and what an overdue report leads to."""

    code: str
    title: str
    text: str
    source: str
    period: str  # 'annual' | 'half_year'
    receiver: str
    table_title: str
    table_note: str
    columns: tuple[dict, ...]
    footer_source: str
    settings: Any  # rules.city_policy.Settings

    def period_bounds(self, label: str) -> tuple[date, date]:
        """First and last day of a period label; ValueError (Chinese) if the label is not of this city's kind."""
        label = str(label).strip().upper()
        if self.period == "annual" and (m := _ANNUAL.match(label)):
            year = int(m.group(1))
            return date(year, 1, 1), date(year, 12, 31)
        if self.period == "half_year" and (m := _HALF.match(label)):
            year, half = int(m.group(1)), int(m.group(2))
            return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))
        raise ValueError("报告期应为四位年份（如 2026）" if self.period == "annual"
                         else "报告期应为年份加 H1 或 H2（如 2026H1 为上半年）")

    def normalize(self, label: str) -> str:
        """The canonical label ('2026h1' → '2026H1'), after checking it."""
        self.period_bounds(label)
        return str(label).strip().upper()

    def period_name(self, label: str) -> str:
        """The period in Chinese: '2026年度', '2026年上半年'."""
        start, _ = self.period_bounds(label)
        if self.period == "annual":
            return f"{start.year}年度"
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"

    def last_closed_period(self, on: date) -> str:
        """The latest period that ended before `on` (the one agencies report on that day)."""
        if self.period == "annual":
            return str(on.year - 1)
        return f"{on.year}H1" if on.month >= 7 else f"{on.year - 1}H2"

    @property
    def overdue_interview_ground(self) -> str | None:
        """The interview ground an overdue report is opened under (None: the city's rules name no interview)."""
        return self.settings["overdue_interview_ground"] or None


def build_report_policy(data: dict) -> ReportPolicy:
    """A checked `reports.yaml` mapping as a ReportPolicy."""
    from rules.city_policy import Settings

    r = data["report"]
    return ReportPolicy(
        code=r["code"], title=r["title"], text=r["text"], source=r["source"], period=r["period"],
        receiver=r["receiver"], table_title=r["table_title"], table_note=str(r.get("table_note", "")).strip(),
        columns=tuple(dict(c) for c in r["columns"]), footer_source=r["footer_source"],
        settings=Settings(data["settings"]),
    )
