"""Spot checks ([JC] 第十六、十九条; [WJ] 第二十二、二十三条; [LY22] 六(四)): a county's half-year round and the
inspection of each drawn agency, or a city's unannounced (四不两直) check of one project."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db


class SpotCheckRound(db.Model):
    """A county's half-year round: the seed and ratio of the draw, the inspectors, the report to the city."""

    __tablename__ = "spot_check_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), index=True)
    period: Mapped[str] = mapped_column(String(8))
    seed: Mapped[int] = mapped_column(Integer)
    ratio: Mapped[str] = mapped_column(String(8))
    inspectors: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    report_note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    inspections = relationship("SpotCheckInspection", back_populates="round", order_by="SpotCheckInspection.id")
    __table_args__ = (
        UniqueConstraint("county_code", "period"),
        CheckConstraint("status IN ('open', 'reported', 'acknowledged')", name="status"),
        CheckConstraint("status = 'open' OR reported_at IS NOT NULL", name="reported_has_time"),
        CheckConstraint("status != 'acknowledged' OR acknowledged_at IS NOT NULL", name="acknowledged_has_time"),
    )


class SpotCheckInspection(db.Model):
    """One agency's inspection: the drawn contracts (JSON ids), its case, the conclusion and 成长值 score."""

    __tablename__ = "spot_check_inspection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("spot_check_round.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="round")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    project_total: Mapped[int] = mapped_column(Integer)
    contract_ids: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    conclusion: Mapped[str | None] = mapped_column(String(16))
    findings: Mapped[str] = mapped_column(Text, default="[]")
    growth_score: Mapped[int | None] = mapped_column(Integer)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round = relationship("SpotCheckRound", back_populates="inspections")
    agency = relationship("Agency", lazy="joined")
    __table_args__ = (
        CheckConstraint("kind IN ('round', 'unannounced')", name="kind"),
        CheckConstraint("kind = 'unannounced' OR round_id IS NOT NULL", name="round_has_round"),
        CheckConstraint("status IN ('open', 'concluded')", name="status"),
        CheckConstraint("conclusion IS NULL OR conclusion IN ('no_problem', 'interview', 'blacklist')",
                        name="conclusion"),
        CheckConstraint("status = 'open' OR (conclusion IS NOT NULL AND concluded_at IS NOT NULL)",
                        name="concluded_has_conclusion"),
    )
