"""Working-day and calendar-day periods (domain.md §5 and §8)."""
import json
from datetime import date, datetime, timedelta

import pytest

from workflows.calendar import SHANGHAI, Deadline, WorkingCalendar

CAL = WorkingCalendar()


@pytest.mark.parametrize("start, n, ends_on", [
    (date(2026, 2, 13), 7, date(2026, 3, 2)),
    (date(2026, 9, 25), 10, date(2026, 10, 15)),
    (date(2026, 9, 30), 7, date(2026, 10, 15)),
    (date(2026, 4, 30), 10, date(2026, 5, 18)),
])
def test_working_days_skip_holidays_and_count_makeup_days(start, n, ends_on):
    """domain.md §5 worked examples: Mon–Fri minus holidays plus 调休 days (国办发明电 2026 notice [W14])."""
    deadline = CAL.add_working_days(start, n)
    assert deadline.ends_on == ends_on
    assert deadline.kind == "working" and deadline.days == n and deadline.start == start
    assert not deadline.provisional
    assert CAL.working_days_between(start, ends_on) == n


def test_start_day_is_not_counted():
    """民法典 第二百零一条: counting begins the day after the start day, even when the start is a workday."""
    assert CAL.add_working_days(date(2026, 3, 2), 1).ends_on == date(2026, 3, 3)
    assert CAL.add_working_days(date(2026, 3, 6), 1).ends_on == date(2026, 3, 9)  # Fri → Mon


def test_national_day_period_counts_makeup_saturday():
    """[W14] 2026: 10-01..10-07 off, Saturday 10-10 is a make-up workday and counts (行政许可法 第八十二条)."""
    assert CAL.is_workday(date(2026, 10, 10))
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))
    deadline = CAL.add_working_days(date(2026, 9, 30), 7)
    # 10-08, 10-09, 10-10 (Sat, make-up), 10-12 .. 10-15
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert deadline.explanation == ("自2026年9月30日起算（当日不计入），7个工作日，至2026年10月15日24时止；"
                                    "已扣除国庆节假期，计入10月10日调休上班日")


def test_explanation_names_holidays_and_makeup_days():
    """domain.md §5: notices print start and end dates; the Spring Festival period names its two make-up Saturdays."""
    text = CAL.add_working_days(date(2026, 2, 13), 7).explanation
    assert "春节假期" in text and "2月14日、2月28日调休上班日" in text and "至2026年3月2日24时止" in text
    assert "中秋节、国庆节假期" in CAL.add_working_days(date(2026, 9, 25), 10).explanation


def test_year_without_package_data_falls_back_to_weekdays_and_is_provisional():
    """domain.md §8: chinesecalendar stops at 2026; 2027 counts Mon–Fri, never raises, and is marked 暂定."""
    deadline = CAL.add_working_days(date(2026, 12, 24), 10)
    # 12-25, 12-28..31, then 2027-01-01 (a Friday, counted under the fallback), 01-04..07
    assert deadline.ends_on == date(2027, 1, 7)
    assert deadline.provisional
    assert "暂定：2027年节假日安排尚未公布，按周一至周五计算" in deadline.explanation
    assert CAL.is_provisional(date(2027, 1, 1)) and not CAL.is_provisional(date(2026, 12, 31))
    assert CAL.is_workday(date(2027, 1, 1)) and not CAL.is_workday(date(2027, 1, 2))


def test_deadline_inside_covered_year_is_not_provisional():
    """domain.md §8: only dates computed without holiday data are provisional."""
    assert not CAL.add_working_days(date(2026, 12, 1), 10).provisional


def test_override_table_takes_precedence_and_covers_declared_year():
    """domain.md §5/§8: the bureau's holiday/make-up table beats the package; extra_years ends the 暂定 flag."""
    overrides = {date(2027, 1, 1): False, date(2027, 2, 6): True}
    cal = WorkingCalendar(overrides, extra_years={2027})
    deadline = cal.add_working_days(date(2026, 12, 24), 10)
    assert deadline.ends_on == date(2027, 1, 8)
    assert not deadline.provisional and "暂定" not in deadline.explanation
    assert "1月1日休息日" in deadline.explanation
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday declared a make-up workday
    assert cal.add_working_days(date(2027, 2, 5), 1).ends_on == date(2027, 2, 6)
    assert "2月6日调休上班日" in cal.add_working_days(date(2027, 2, 4), 2).explanation


def test_override_without_declared_year_stays_provisional():
    """domain.md §8: a few override rows do not make a year fully known; it stays 暂定 until declared."""
    cal = WorkingCalendar({date(2027, 1, 1): False})
    deadline = cal.add_working_days(date(2026, 12, 24), 10)
    assert deadline.ends_on == date(2027, 1, 8) and deadline.provisional


def test_override_beats_package_in_covered_year():
    """domain.md §5: the administrator's table has precedence over chinesecalendar even for covered years."""
    cal = WorkingCalendar({date(2026, 10, 9): False, date(2026, 10, 10): False})
    assert cal.add_working_days(date(2026, 9, 30), 1).ends_on == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 30), 2).ends_on == date(2026, 10, 12)
    assert "10月9日休息日" in cal.add_working_days(date(2026, 9, 30), 2).explanation


def test_calendar_period_ending_on_holiday_moves_to_next_working_day():
    """民法典 第二百零三条: a period whose last day is a 法定休假日 ends on the day after the holiday."""
    deadline = CAL.add_calendar_days(date(2026, 9, 24), 7)  # nominal end 10-01, 国庆节
    assert deadline.ends_on == date(2026, 10, 8) and deadline.kind == "calendar"
    assert "国庆节假期" in deadline.explanation and "至2026年10月8日24时止" in deadline.explanation
    assert CAL.add_calendar_days(date(2026, 3, 6), 1).ends_on == date(2026, 3, 9)  # Saturday → Monday


def test_calendar_period_counts_weekends_and_keeps_working_last_day():
    """[WJ] 第十五条 "7日内" is calendar days (domain.md §8); a make-up Saturday is a working last day."""
    assert CAL.add_calendar_days(date(2026, 3, 2), 7).ends_on == date(2026, 3, 9)
    assert CAL.add_calendar_days(date(2026, 10, 3), 7).ends_on == date(2026, 10, 10)


def test_calendar_period_provisional_only_if_last_day_uses_missing_data():
    """domain.md §8: a calendar period is 暂定 only where the holiday check of its last day lacks data."""
    assert not CAL.add_calendar_days(date(2026, 12, 1), 10).provisional
    assert CAL.add_calendar_days(date(2026, 12, 20), 30).provisional


def test_due_at_is_midnight_after_last_day_in_shanghai():
    """domain.md §8: the period ends at 24:00 of its last day, i.e. next day 00:00+08:00."""
    due = CAL.add_working_days(date(2026, 9, 30), 7).due_at
    assert due == datetime(2026, 10, 16, 0, 0, tzinfo=SHANGHAI)
    assert due.utcoffset() == timedelta(hours=8)
    assert due.isoformat() == "2026-10-16T00:00:00+08:00"


def test_deadline_json_round_trip():
    """Task data must be JSON-native (SpiffWorkflow serialises it); from_json restores an equal Deadline."""
    for deadline in (CAL.add_working_days(date(2026, 12, 24), 10), CAL.add_calendar_days(date(2026, 9, 24), 7)):
        data = json.loads(json.dumps(deadline.to_json(), ensure_ascii=False))
        assert data["due_at"].endswith("+08:00") and isinstance(data["provisional"], bool)
        restored = Deadline.from_json(data)
        assert restored == deadline
        assert restored.due_at.tzinfo == SHANGHAI


def test_reminder_working_days_before_deadline():
    """domain.md §8: "2 working days before" counts back over working days only."""
    assert CAL.subtract_working_days(date(2026, 10, 15), 2) == date(2026, 10, 13)
    assert CAL.subtract_working_days(date(2026, 10, 12), 2) == date(2026, 10, 9)  # back over Sun, not Sat 10-10
    assert CAL.subtract_working_days(date(2026, 10, 8), 1) == date(2026, 9, 30)  # back over National Day
    assert CAL.subtract_working_days(date(2026, 10, 8), 0) == date(2026, 10, 8)


def test_add_and_subtract_are_inverse_over_2026():
    """Consistency: for a working-day start, subtracting n from the n-day deadline returns the start."""
    day = date(2026, 1, 1)
    while day.year == 2026:
        if CAL.is_workday(day):
            for n in (1, 5, 7, 10, 20):
                end = CAL.add_working_days(day, n).ends_on
                assert CAL.subtract_working_days(end, n) == day
                assert CAL.working_days_between(day, end) == n == -CAL.working_days_between(end, day)
        day += timedelta(days=1)


def test_2026_has_248_working_days():
    """domain.md §5: chinesecalendar gives 248 working days in 2026."""
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_invalid_inputs_are_rejected():
    """Guards: datetimes must be converted to a Shanghai date first; periods need at least one day."""
    with pytest.raises(TypeError):
        CAL.is_workday(datetime(2026, 10, 1, tzinfo=SHANGHAI))
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 10, 1), 0)
    with pytest.raises(ValueError):
        CAL.subtract_working_days(date(2026, 10, 1), -1)
