"""The unit of work a workflow step runs in: the case, who acts, and the case columns a step changes."""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from . import clock

_current: ContextVar["StepContext | None"] = ContextVar("anfu_step", default=None)


@dataclass
class StepContext:
    """Handed to form validators and service tasks; services never commit, they record changes here."""

    case: object
    actor: object | None
    now: datetime = field(default_factory=clock.now)
    case_changes: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def set_case(self, **values) -> None:
        """Change case columns (agency_id, unit_code, credit_code, title …) in the step's single UPDATE."""
        self.case_changes.update(values)


def current() -> StepContext:
    """The active step context; service tasks run only inside one."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("no active case step")
    return ctx


@contextmanager
def active(ctx: StepContext):
    """Make `ctx` the context of the service tasks run inside the block."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
