"""Saved filters of the inbox and the case list: a name and the query string, per user."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db


class SavedFilter(db.Model):
    """One named filter a user keeps for a list page (`page` is 'inbox' or 'cases')."""

    __tablename__ = "saved_filter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    page: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("page IN ('inbox', 'cases')", name="page"),
        UniqueConstraint("user_id", "page", "name", name="uq_saved_filter_name"),
    )
