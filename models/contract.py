"""A filed service contract ([WJ] 第十五条; [JX] 表A 第4项): one per contract_filing case."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db


class ServiceContract(db.Model):
    """What the agency filed, when it was due and whether it was late; deliverables before `ends_on`."""

    __tablename__ = "service_contract"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    client_name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    service_type: Mapped[str] = mapped_column(String(32))
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    price_wan: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    client_contact: Mapped[str] = mapped_column(String(64))
    client_phone: Mapped[str] = mapped_column(String(32))
    scan_document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    filing_due_on: Mapped[date | None] = mapped_column(Date)
    filing_due_note: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_on: Mapped[date] = mapped_column(Date)
    filed_late: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="filed")
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    deliverable_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivered_late: Mapped[bool] = mapped_column(default=False)

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        CheckConstraint("status IN ('filed', 'delivered')", name="status"),
        CheckConstraint("status != 'delivered' OR delivered_on IS NOT NULL", name="delivered_has_date"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )
