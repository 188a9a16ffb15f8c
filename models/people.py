"""Administrative units (GB/T 2260), users with their role, API tokens, browser sessions, login locks."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db

ROLES: dict[str, str] = {
    "agency": "技术服务机构",
    "county_official": "县级监管人员",
    "city_official": "市级监管人员",
    "leader": "分管领导",
    "expert": "专家",
    "process_owner": "流程管理员",
    "auditor": "审计人员",
    "admin": "系统管理员",
}


class Unit(db.Model):
    """A city or county by its 6-digit administrative division code."""

    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    level: Mapped[str] = mapped_column(String(8))
    __table_args__ = (CheckConstraint("level IN ('city', 'county')", name="level"),)


class User(db.Model):
    """A person who logs in: an official, an agency clerk, an expert, an auditor …"""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(24))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    email: Mapped[str | None] = mapped_column(String(254))  # notices by e-mail when set
    phone: Mapped[str | None] = mapped_column(String(32))  # notices by SMS when set and an SMS adapter is configured
    # a one-time or reset password: every page leads to the change-password form until it is changed
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    unit: Mapped["Unit | None"] = relationship(lazy="joined")
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_title(self) -> str:
        return ROLES.get(self.role, self.role)


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(db.Model):
    """A browser login; the signed cookie carries its random id, so logout can end it on the server."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginLock(db.Model):
    """Failure count and lock for a username with no account, so unknown names behave like real ones."""

    __tablename__ = "login_lock"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AgencySignup(db.Model):
    """An agency's self sign-up (机构自助注册): its account stays inactive until the e-mail link is followed."""

    __tablename__ = "agency_signup"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    agency_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
