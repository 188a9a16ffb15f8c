"""Doors every action passes: registered checks (e.g. a blacklist listing) that may refuse it with a reason.

A guard is `fn(user, action, *, case=None, agency_id=None, credit_code=None) -> str | None`; it returns a
Chinese reason (citing the decision) to refuse, or None. Actions: 'start:<process>', 'complete:<process>:<bpmn_id>',
'claim', 'upload', 'participate:<process>'.
"""
from collections.abc import Callable

from .errors import NotAllowed

GUARDS: list[Callable] = []


def register_guard(fn: Callable) -> Callable:
    """Add a guard (idempotent)."""
    if fn not in GUARDS:
        GUARDS.append(fn)
    return fn


def check(user, action: str, *, case=None, agency_id: int | None = None, credit_code: str | None = None) -> None:
    """Raise NotAllowed with the first guard's reason, if any guard refuses."""
    for guard in GUARDS:
        reason = guard(user, action, case=case, agency_id=agency_id, credit_code=credit_code)
        if reason:
            raise NotAllowed(reason)
