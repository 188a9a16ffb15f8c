"""Grading rounds (分类等级评定, [LY22] 三–六): the round, each participating agency, public objections."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db


class GradingRound(db.Model):
    """One round of grading opened by the city: scheme, year, the three phase windows."""

    __tablename__ = "grading_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    self_assessment_ends_on: Mapped[date] = mapped_column(Date)
    inspection_ends_on: Mapped[date] = mapped_column(Date)
    classification_ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    panel_mode: Mapped[str | None] = mapped_column(String(16))  # mean | consensus (None: the sheet's setting)
    final_published_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (
        CheckConstraint("status IN ('open', 'final')", name="status"),
        CheckConstraint("status != 'final' OR final_published_on IS NOT NULL", name="final_has_date"),
        CheckConstraint("self_assessment_ends_on <= inspection_ends_on AND inspection_ends_on <= classification_ends_on",
                        name="phases_in_order"),
    )


class GradingEntry(db.Model):
    """An agency in a round, with its grading case; the publicity page and the final list read it."""

    __tablename__ = "grading_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("grading_round.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    phase: Mapped[str] = mapped_column(String(24), default="self_assessment")
    final_score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(16))
    vetoed: Mapped[bool] = mapped_column(default=False)
    publicity_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publicity_explanation: Mapped[str | None] = mapped_column(Text)
    failed_staff: Mapped[list | None] = mapped_column(JSON, default=list)  # 抽考不合格 → not allowed to serve ([LY22] 五)
    exam_results: Mapped[dict | None] = mapped_column(JSON)  # name → score; 个人考试成绩将公开公示 ([LY22] 三(四))
    self_score: Mapped[float | None] = mapped_column(Float)  # the agency's own total (items it assessed)

    agency = relationship("Agency", lazy="joined")
    round = relationship("GradingRound", lazy="joined")
    __table_args__ = (
        CheckConstraint("phase IN ('self_assessment', 'inspection', 'publicity', 'final', 'waived')", name="phase"),
        CheckConstraint("phase != 'final' OR grade IS NOT NULL", name="final_has_grade"),
    )


class Objection(db.Model):
    """An objection (异议) filed by anyone during publicity, named or anonymous."""

    __tablename__ = "objection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("grading_entry.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    status: Mapped[str] = mapped_column(String(16), default="received")
    reply: Mapped[str | None] = mapped_column(Text)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    entry = relationship("GradingEntry", lazy="joined")
    __table_args__ = (CheckConstraint("status IN ('received', 'dismissed', 'upheld')", name="status"),)
