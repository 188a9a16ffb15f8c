"""Typed SQLAlchemy models, one entity group per module; importing the package registers them all."""
from .agency import Agency
from .audit import AuditEvent, AuditHead
from .base import Base, UTCDateTime, db
from .calendar import CalendarDay, CalendarYear
from .case import CASE_STATUSES, Case, CaseLink, CaseTimer, OpenTask
from .complaint import Complaint
from .contract import ServiceContract
from .document import Document
from .grading import GradingEntry, GradingRound, Objection
from .people import ROLES, ApiToken, Unit, User
from .process import ProcessVersion
from .process_draft import ProcessDraft
from .report import PeriodicReport
from .sanctions import Bulletin, Listing
from .saved_filter import SavedFilter
from .spot_check import SpotCheckInspection, SpotCheckRound
from .staff import StaffCertificate, StaffMember
from .supervision_records import DormancyNotice, InfoChange, ListSnapshot, PracticeNotice
from .workbench import CaseCounter, Notification, TaskDraft

__all__ = [
    "CASE_STATUSES",
    "ROLES",
    "Agency",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Bulletin",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseCounter",
    "CaseLink",
    "CaseTimer",
    "Complaint",
    "Document",
    "DormancyNotice",
    "GradingEntry",
    "GradingRound",
    "InfoChange",
    "ListSnapshot",
    "Listing",
    "Notification",
    "Objection",
    "OpenTask",
    "PeriodicReport",
    "PracticeNotice",
    "ProcessDraft",
    "ProcessVersion",
    "SavedFilter",
    "ServiceContract",
    "SpotCheckInspection",
    "SpotCheckRound",
    "StaffCertificate",
    "StaffMember",
    "TaskDraft",
    "UTCDateTime",
    "Unit",
    "User",
    "db",
]
