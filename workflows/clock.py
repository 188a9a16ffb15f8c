"""The platform clock: real UTC time unless a caller (tick --now, tests) sets it for a unit of work."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_fixed: ContextVar[datetime | None] = ContextVar("anfu_clock", default=None)


def now() -> datetime:
    """Current aware UTC time (the fixed one if set)."""
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in Asia/Shanghai, where the bureaus count their deadlines."""
    return now().astimezone(SHANGHAI).date()


@contextmanager
def fixed_at(moment: datetime):
    """Run a block as if it were `moment` (aware)."""
    token = _fixed.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _fixed.reset(token)


def local(moment: datetime | None) -> datetime | None:
    """An aware datetime shown in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI) if moment else None


def to_local(value: datetime | date | str | None) -> datetime | date | None:
    """Any stored or entered time as Asia/Shanghai: aware values converted; naive ones (form input) are local.

    The one rule for every rendered time (Jinja filters, Word documents, print pages, exports): the database
    holds aware UTC; a form's "2026-12-20T09:30" is a wall-clock time in Shanghai, never UTC.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        value = datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
    if isinstance(value, datetime):
        return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)
    return value
