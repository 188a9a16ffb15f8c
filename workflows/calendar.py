"""Working-day and calendar-day periods under PRC rules (domain.md §5, §8); pure Python, no Flask or DB.

Sources:
- 民法典 第二百零一条: the day a period starts is not counted; counting begins the next day.
- 民法典 第二百零三条: if the last day of a period is a 法定休假日, the period ends on the day after it.
- 行政许可法 第八十二条: periods in 工作日 exclude statutory holidays.
- Working days = Mon–Fri minus statutory holidays plus 调休 make-up days, from the yearly 国务院办公厅
  放假安排 notice; 2026's is 国办发明电〔2025〕 dated 2025-11-04 [W14], identical to chinesecalendar 1.11.0.
- Years chinesecalendar lacks (2027+ today) fall back to Mon–Fri and are marked provisional unless the
  administrator's override table declares them covered (domain.md §8).
"""
from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# The package validates dates against the span of its own holiday table; read that span, don't hard-code it.
PACKAGE_YEARS = _PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

_HOLIDAY_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
}
_ONE_DAY = timedelta(days=1)


def _holiday_zh(english: str) -> str:
    """The Chinese name of a chinesecalendar holiday (its own enum name for the rare special days)."""
    if english in _HOLIDAY_ZH:
        return _HOLIDAY_ZH[english]
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def _ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _md(d: date, ref_year: int) -> str:
    return f"{d.month}月{d.day}日" if d.year == ref_year else _ymd(d)


@dataclass(frozen=True)
class Deadline:
    """A computed period: its last day, the aware due moment (24:00 Asia/Shanghai of that day) and why."""

    start: date
    days: int
    kind: str  # 'working' | 'calendar'
    ends_on: date
    due_at: datetime
    provisional: bool
    explanation: str

    def to_json(self) -> dict:
        """JSON-native form for workflow task data (dates and due_at as ISO strings, due_at with +08:00)."""
        return {"start": self.start.isoformat(), "days": self.days, "kind": self.kind,
                "ends_on": self.ends_on.isoformat(), "due_at": self.due_at.isoformat(),
                "provisional": self.provisional, "explanation": self.explanation}

    @classmethod
    def from_json(cls, data: Mapping) -> Deadline:
        """Inverse of to_json."""
        return cls(start=date.fromisoformat(data["start"]), days=int(data["days"]), kind=str(data["kind"]),
                   ends_on=date.fromisoformat(data["ends_on"]),
                   due_at=datetime.fromisoformat(data["due_at"]).astimezone(SHANGHAI),
                   provisional=bool(data["provisional"]), explanation=str(data["explanation"]))


def _due_at(ends_on: date) -> datetime:
    """24:00 of `ends_on` in Asia/Shanghai, i.e. 00:00+08:00 of the next day."""
    return datetime.combine(ends_on + _ONE_DAY, time(0), tzinfo=SHANGHAI)


def _check_date(d: date) -> None:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date in Asia/Shanghai, got {type(d).__name__}")


class WorkingCalendar:
    """Working days from chinesecalendar, overridden by the administrator's holiday/make-up table."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, extra_years: Iterable[int] = ()) -> None:
        self._overrides = {d: bool(w) for d, w in (overrides or {}).items()}
        self._extra_years = frozenset(int(y) for y in extra_years)

    def is_workday(self, d: date) -> bool:
        """True on a working day: override table first, then the package, else Mon–Fri (provisional)."""
        _check_date(d)
        if d in self._overrides:
            return self._overrides[d]
        if d.year in _PACKAGE_YEARS:
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def is_provisional(self, d: date) -> bool:
        """True if d's year is neither in the package nor declared covered by the administrator."""
        _check_date(d)
        return d.year not in _PACKAGE_YEARS and d.year not in self._extra_years

    def _holiday_name(self, d: date) -> str | None:
        if d.year not in _PACKAGE_YEARS:
            return None
        _, name = chinese_calendar.get_holiday_detail(d)
        return _holiday_zh(name) if name else None

    def _provisional_note(self, days: Iterable[date]) -> str:
        years = sorted({d.year for d in days if self.is_provisional(d)})
        if not years:
            return ""
        return f"（暂定：{'、'.join(map(str, years))}年节假日安排尚未公布，按周一至周五计算）"

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The period of n working days after `start` (start day not counted; 民法典 第二百零一条, 行政许可法 第八十二条)."""
        _check_date(start)
        if n < 1:
            raise ValueError(f"a period needs at least 1 day, got {n}")
        day, counted, seen = start, 0, []
        while counted < n:
            day += _ONE_DAY
            seen.append(day)
            counted += self.is_workday(day)
        holidays: list[str] = []
        off_days: list[date] = []
        makeup: list[date] = []
        for d in seen:
            if self.is_workday(d):
                if d.weekday() >= 5:
                    makeup.append(d)
            elif (name := self._holiday_name(d)) is not None:
                if name not in holidays:
                    holidays.append(name)
            elif d.weekday() < 5:
                off_days.append(d)  # a weekday off from the override table, without a package name
        text = f"自{_ymd(start)}起算（当日不计入），{n}个工作日，至{_ymd(day)}24时止"
        skipped = [f"{'、'.join(holidays)}假期"] if holidays else []
        if off_days:
            skipped.append(f"{'、'.join(_md(d, start.year) for d in off_days)}休息日")
        if skipped:
            text += f"；已扣除{'、'.join(skipped)}"
        if makeup:
            text += f"{'，' if skipped else '；'}计入{'、'.join(_md(d, start.year) for d in makeup)}调休上班日"
        text += self._provisional_note(seen)
        return Deadline(start, n, "working", day, _due_at(day), any(map(self.is_provisional, seen)), text)

    def add_calendar_days(self, start: date, n: int) -> Deadline:
        """n calendar days after `start` (start not counted); a last day off moves to the next working day (民法典 第二百零三条)."""
        _check_date(start)
        if n < 1:
            raise ValueError(f"a period needs at least 1 day, got {n}")
        nominal = start + timedelta(days=n)
        consulted = [nominal]  # only the last day's status depends on holiday data
        end = nominal
        while not self.is_workday(end):
            end += _ONE_DAY
            consulted.append(end)
        text = f"自{_ymd(start)}起算（当日不计入），{n}日"
        if end != nominal:
            name = self._holiday_name(nominal)
            reason = f"{name}假期" if name else "休息日"
            text += f"，期间末日{_ymd(nominal)}为{reason}，依民法典第二百零三条顺延"
        text += f"，至{_ymd(end)}24时止" + self._provisional_note(consulted)
        return Deadline(start, n, "calendar", end, _due_at(end), any(map(self.is_provisional, consulted)), text)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (negative if b precedes a); inverse of add_working_days."""
        _check_date(a)
        _check_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))

    def subtract_working_days(self, end: date, n: int) -> date:
        """The working day n working days before `end` (end itself not counted), e.g. a reminder date."""
        _check_date(end)
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        day, counted = end, 0
        while counted < n:
            day -= _ONE_DAY
            counted += self.is_workday(day)
        return day
