"""A safety-production technical service agency (安全生产技术服务机构) and its directory entry."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db


class Agency(db.Model):
    """A registered agency (建档); the public directory lists those with status 'registered'."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    legal_representative: Mapped[str] = mapped_column(String(64))
    contact_person: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(120))
    fax: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300))
    county_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    staff_count: Mapped[int] = mapped_column(Integer)
    service_categories: Mapped[list] = mapped_column(JSON)
    business_scope: Mapped[str] = mapped_column(Text)
    qualification_required: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="registered")
    registered_on: Mapped[date | None] = mapped_column(Date)
    registration_case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    county: Mapped["Unit"] = relationship(lazy="joined")  # noqa: F821
    __table_args__ = (
        CheckConstraint("status IN ('registered', 'cancelled')", name="status"),
        CheckConstraint("status != 'registered' OR registered_on IS NOT NULL", name="registered_has_date"),
    )
