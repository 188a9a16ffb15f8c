"""An agency's staff roster (人员库): each person with qualifications, social insurance and the exam gate."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

QUALIFICATION_KINDS = ("注册安全工程师", "安全评价师", "职称", "其他")


class StaffMember(db.Model):
    """A person on an agency's roster ([JC] 第二条; [WJ] 第十六条); `left_on` set when they leave."""

    __tablename__ = "staff_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    employed_on: Mapped[date] = mapped_column(Date)
    insured_since: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="active")
    left_on: Mapped[date | None] = mapped_column(Date)
    exam_passed_on: Mapped[date | None] = mapped_column(Date)
    exam_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    conflict_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    certificates: Mapped[list["StaffCertificate"]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", order_by="StaffCertificate.id", lazy="selectin")
    __table_args__ = (
        UniqueConstraint("agency_id", "id_number", name="uq_staff_member_agency_person"),
        CheckConstraint("status IN ('active', 'left')", name="status"),
        CheckConstraint("status != 'left' OR left_on IS NOT NULL", name="left_has_date"),
    )


class StaffCertificate(db.Model):
    """A qualification (注册安全工程师, 安全评价师, a title) with its certificate number and expiry."""

    __tablename__ = "staff_certificate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(64), default="")
    number: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[date | None] = mapped_column(Date)

    staff: Mapped[StaffMember] = relationship(back_populates="certificates")
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in QUALIFICATION_KINDS) + ")", name="kind"),
    )
