"""A case (one running process instance), its open user tasks (the inbox) and its waiting timers."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

CASE_STATUSES = ("running", "completed", "error", "cancelled")


class Case(db.Model):
    """A process instance; `workflow_json` is the serialized SpiffWorkflow state, `version` the CAS counter."""

    __tablename__ = "case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="running")
    outcome: Mapped[str | None] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    workflow_json: Mapped[str] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)  # 办件编号, e.g. 140500-2026-DJ-000012

    process_version = relationship("ProcessVersion", lazy="joined", innerjoin=True)
    __table_args__ = (
        CheckConstraint("status IN ('running', 'completed', 'error', 'cancelled')", name="status"),
        CheckConstraint("status != 'completed' OR completed_at IS NOT NULL", name="completed_has_time"),
    )


class OpenTask(db.Model):
    """A READY user task as an inbox row, kept in step with the workflow in the same transaction."""

    __tablename__ = "open_task"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    unit_code: Mapped[str | None] = mapped_column(String(12))
    agency_id: Mapped[int | None] = mapped_column(Integer, index=True)
    form_key: Mapped[str] = mapped_column(String(64))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_provisional: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(lazy="select")
    assignee = relationship("User", lazy="select")
    __table_args__ = (
        Index("ix_open_task_role_unit_due", "role", "unit_code", "due_at"),
        Index("ix_open_task_inbox_order", "role", "unit_code", "due_at", "created_at"),
        Index("ix_open_task_unclaimed", "role", "unit_code", "due_at", "created_at",
              postgresql_where=text("assignee_id IS NULL"), sqlite_where=text("assignee_id IS NULL")),
        CheckConstraint("assignee_id IS NULL OR claimed_at IS NOT NULL", name="claimed_has_time"),
    )


class CaseTimer(db.Model):
    """A waiting BPMN timer with its absolute due time, read by the scheduler."""

    __tablename__ = "case_timer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CaseLink(db.Model):
    """One case asking for another: a 差 grading asking for an interview, an interview referring to a listing.

    `status` is 'pending' while the target process is not deployed yet, 'started' once its case exists.
    """

    __tablename__ = "case_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    target_process: Mapped[str] = mapped_column(String(64))
    target_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    ground: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'started')", name="status"),
        CheckConstraint("status != 'started' OR target_case_id IS NOT NULL", name="started_has_case"),
    )
