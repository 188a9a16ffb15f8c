"""Verbs on people: create users, log in (with lockout), issue and resolve API tokens."""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import current_app
from sqlalchemy import select

from models import ROLES, Agency, ApiToken, Unit, User, db

from . import audit, clock
from .errors import InvalidInput, NotAuthenticated

# OWASP's minimum argon2id configuration (19 MiB, t=2, p=1).
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def create_user(username: str, password: str, *, role: str, display_name: str | None = None,
                unit_code: str | None = None, agency_id: int | None = None, actor=None) -> User:
    """Add a user of one of the platform's roles, in a unit, optionally bound to an agency."""
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"角色应为：{', '.join(ROLES)}"]
    if not username or len(username) > 64:
        errors["username"] = ["用户名不能为空且不超过64个字符"]
    elif db.session.execute(select(User.id).where(User.username == username)).first():
        errors["username"] = ["用户名已存在"]
    if len(password or "") < 8:
        errors["password"] = ["密码至少8位"]
    if unit_code and db.session.get(Unit, unit_code) is None:
        errors["unit"] = [f"单位代码 {unit_code} 不存在"]
    if role in ("county_official",) and not unit_code:
        errors["unit"] = ["县级监管人员必须指定所属县（市、区）"]
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        errors["agency"] = [f"机构 {agency_id} 不存在"]
    if errors:
        raise InvalidInput("用户信息有误", errors)
    if unit_code is None and role != "agency":
        unit_code = current_app.config["CITY_CODE"]
    user = User(username=username, display_name=display_name or username, role=role, unit_code=unit_code,
                agency_id=agency_id, password_hash=HASHER.hash(password), failed_logins=0, active=True,
                created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", actor=actor, detail={"user_id": user.id, "username": username, "role": role,
                                                      "unit": unit_code, "agency_id": agency_id})
    return user


def authenticate(username: str, password: str) -> User:
    """Check a password; after repeated failures the account is locked for a while."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    now = clock.now()
    if user is None:
        audit.record("login_failed", actor_name=username or "?", detail={"reason": "unknown_user"})
        raise NotAuthenticated("用户名或密码不正确")
    if user.locked_until and user.locked_until > now:
        audit.record("login_failed", actor=user, detail={"reason": "locked"})
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise NotAuthenticated(f"连续登录失败次数过多，账户已锁定，请{minutes}分钟后再试")
    try:
        HASHER.verify(user.password_hash, password or "")
    except (VerifyMismatchError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
        audit.record("login_failed", actor=user, detail={"reason": "bad_password"})
        raise NotAuthenticated("用户名或密码不正确") from None
    if not user.active:
        raise NotAuthenticated("账户已停用")
    user.failed_logins, user.locked_until = 0, None
    audit.record("login_succeeded", actor=user)
    return user


def issue_token(user: User) -> str:
    """A new bearer token for the JSON API (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(ApiToken(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                            created_at=now, expires_at=now + timedelta(hours=current_app.config["API_TOKEN_HOURS"])))
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, if it is valid and unexpired (one query)."""
    row = db.session.execute(
        select(User, ApiToken.expires_at).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).first()
    if row is None or row[1] <= clock.now() or not row[0].active:
        return None
    return row[0]
