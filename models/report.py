"""Periodic business reports: one row per agency per report period, pointing at the case that handles it."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

REPORT_STATUSES = ("open", "submitted", "returned", "accepted")


class PeriodicReport(db.Model):
    """An agency's report for one period ([JC] 第十五条 annual; [WJ] 第十五条 half-yearly); unique per period."""

    __tablename__ = "periodic_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    report_code: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(8), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    overdue: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    row_count: Mapped[int | None] = mapped_column(Integer)

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        UniqueConstraint("agency_id", "report_code", "period"),
        CheckConstraint("status IN ('open', 'submitted', 'returned', 'accepted')", name="status"),
        CheckConstraint("status = 'open' OR submitted_at IS NOT NULL", name="submitted_has_time"),
        CheckConstraint("status != 'accepted' OR accepted_at IS NOT NULL", name="accepted_has_time"),
    )
