"""The officials' workbench: notifications (in-app, e-mail, SMS), form drafts (暂存), case-number counters."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db


class Notification(db.Model):
    """One message to one user; the row is the in-app message, `email_status` tracks its e-mail delivery.

    Written in the same transaction as the change it reports (a rolled-back step notifies nobody) and sent by
    the worker after commit, with retries; a failed send never touches the case.
    """

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    text: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_status: Mapped[str] = mapped_column(String(12), default="none")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str | None] = mapped_column(String(300))
    email_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sms_status: Mapped[str] = mapped_column(String(12), default="none")

    __table_args__ = (
        CheckConstraint("email_status IN ('none', 'pending', 'sent', 'failed')", name="email_status"),
        CheckConstraint("sms_status IN ('none', 'pending', 'sent', 'failed')", name="sms_status"),
        UniqueConstraint("user_id", "dedupe_key", name="uq_notification_dedupe"),
        Index("ix_notification_user_unread", "user_id", "read_at", "id"),
        Index("ix_notification_email_due", "email_status", "email_next_at"),
    )


class TaskDraft(db.Model):
    """A form saved half-way (暂存) by the person working on the task; only they see it."""

    __tablename__ = "task_draft"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseCounter(db.Model):
    """The last sequence number of 办件编号 per prefix (city + year + process); one row per prefix."""

    __tablename__ = "case_counter"
    prefix: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
