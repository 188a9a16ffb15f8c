"""Typed SQLAlchemy models, one entity group per module; importing the package registers them all."""
from .agency import Agency
from .audit import AuditEvent, AuditHead
from .base import Base, UTCDateTime, db
from .calendar import CalendarDay, CalendarYear
from .case import CASE_STATUSES, Case, CaseLink, CaseTimer, OpenTask
from .document import Document
from .people import ROLES, ApiToken, Unit, User
from .process import ProcessVersion
from .process_draft import ProcessDraft

__all__ = [
    "CASE_STATUSES",
    "ROLES",
    "Agency",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseLink",
    "CaseTimer",
    "Document",
    "OpenTask",
    "ProcessDraft",
    "ProcessVersion",
    "UTCDateTime",
    "Unit",
    "User",
    "db",
]
