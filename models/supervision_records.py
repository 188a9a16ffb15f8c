"""Day-to-day supervision records: information changes, dormancy notices, 执业告知, public list snapshots."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db


class InfoChange(db.Model):
    """A filed change of an agency's information ([WJ] 第十四条): new and old values, the period, the review."""

    __tablename__ = "info_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    changed_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_note: Mapped[str] = mapped_column(Text, default="")
    working_days_taken: Mapped[int] = mapped_column(Integer, default=0)
    filed_late: Mapped[bool] = mapped_column(default=False)
    changes: Mapped[dict] = mapped_column(JSON)  # field → new value
    old_values: Mapped[dict | None] = mapped_column(JSON)  # field → value before approval
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="filed")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        CheckConstraint("status IN ('filed', 'approved', 'rejected')", name="status"),
        CheckConstraint("status = 'filed' OR decided_on IS NOT NULL", name="decided_has_date"),
        CheckConstraint("status != 'approved' OR old_values IS NOT NULL", name="approved_keeps_history"),
    )


class DormancyNotice(db.Model):
    """A notice that an agency has had no activity for the set months; cancellation follows unless it acts."""

    __tablename__ = "dormancy_notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    last_activity_on: Mapped[date] = mapped_column(Date)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancel_after: Mapped[date] = mapped_column(Date)
    cancel_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="notified")
    objection: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reversal_reason: Mapped[str] = mapped_column(Text, default="")

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        CheckConstraint("status IN ('notified', 'objected', 'resumed', 'cancelled', 'reversed')", name="status"),
        CheckConstraint("status != 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"),
        CheckConstraint("status != 'reversed' OR reversal_reason != ''", name="reversed_has_reason"),
    )


class PracticeNotice(db.Model):
    """执业告知: before on-site service in another county, the agency tells the county where the client is."""

    __tablename__ = "practice_notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    location_county: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    client_name: Mapped[str] = mapped_column(String(200))
    project_address: Mapped[str] = mapped_column(String(300))
    service_type: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_late: Mapped[bool] = mapped_column(default=False)

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)


class ListSnapshot(db.Model):
    """A dated copy of the public agency list (republished half-yearly, [WJ] 第十四、二十一条)."""

    __tablename__ = "list_snapshot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(8), index=True)  # 2026H2
    taken_on: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rows: Mapped[list] = mapped_column(JSON)
