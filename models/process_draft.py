"""A process owner's draft of a new process version, with the problems its last save found."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

DRAFT_STATUSES = ("draft", "published")


class ProcessDraft(db.Model):
    """Edited BPMN (and DMN) not yet running; published it becomes the next ProcessVersion."""

    __tablename__ = "process_draft"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    dmn_files: Mapped[dict] = mapped_column(JSON, default=dict)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    base_version = relationship("ProcessVersion", foreign_keys=[base_version_id], lazy="select")
    published_version = relationship("ProcessVersion", foreign_keys=[published_version_id], lazy="select")
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint("status != 'published' OR published_version_id IS NOT NULL", name="published_has_version"),
    )
