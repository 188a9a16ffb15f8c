"""A complaint or report (投诉举报) about an agency from the public: tracking code, status and the reply."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

COMPLAINT_STATUSES = ("received", "investigating", "closed")
COMPLAINT_OUTCOMES = ("unfounded", "interview", "blacklist", "referred_elsewhere")


class Complaint(db.Model):
    """One complaint: what was said and about whom; who said it (name, contact, file) is for officials only."""

    __tablename__ = "complaint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    agency_named: Mapped[str] = mapped_column(String(128))  # the agency as the complainant named it
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="received")
    outcome: Mapped[str | None] = mapped_column(String(24))
    referred_to: Mapped[str | None] = mapped_column(String(128))
    reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        CheckConstraint("status IN ('received', 'investigating', 'closed')", name="status"),
        CheckConstraint("outcome IS NULL OR outcome IN ('unfounded', 'interview', 'blacklist', 'referred_elsewhere')",
                        name="outcome"),
    )
