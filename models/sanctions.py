"""Sanctions in force: blacklist listings (严重失信主体名单 / 行业禁入) and published interview bulletins (通报)."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db


class Listing(db.Model):
    """An agency on the list; the guard and the public blacklist read it. History stays in its case."""

    __tablename__ = "listing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    grounds: Mapped[list] = mapped_column(JSON)
    basis: Mapped[str] = mapped_column(Text)
    penalty_decision_no: Mapped[str] = mapped_column(String(100))
    penalty_decided_on: Mapped[date] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(100))
    listed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    principal_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    removed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        CheckConstraint("status IN ('active', 'expired', 'early_removed', 'lifted')", name="status"),
        CheckConstraint("status = 'active' OR removed_on IS NOT NULL", name="removed_has_date"),
    )


class Bulletin(db.Model):
    """A published 通报 (e.g. 武进 after a warning interview, [WJ] 第二十四条)."""

    __tablename__ = "bulletin"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agency = relationship("Agency", lazy="joined")
