"""Verbs on people: create users, log in (with lockout), issue, resolve and revoke tokens and sessions."""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import current_app
from sqlalchemy import select, update

from models import ROLES, Agency, ApiToken, Unit, User, db
from models.people import LoginLock, WebSession

from . import audit, clock
from .errors import InvalidInput, NotAuthenticated

# OWASP's minimum argon2id configuration (19 MiB, t=2, p=1).
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against for unknown usernames so they take as long as real ones (no timing oracle).
DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
BAD_LOGIN = "用户名或密码不正确"


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


def _lock_holder(username: str, user: User | None) -> User | LoginLock:
    """Where the failure count lives: the account, or a row for a username that has none."""
    if user is not None:
        return user
    name = (username or "?")[:64]
    holder = db.session.get(LoginLock, name)
    if holder is None:
        holder = LoginLock(username=name, failed_logins=0)
        db.session.add(holder)
    return holder


def authenticate(username: str, password: str) -> User:
    """Check a password; after repeated failures the name is locked for a while, whether or not it exists.

    Unknown names get the same messages, the same lock and the same argon2 work as real accounts
    (等保 2.0 身份鉴别: no username enumeration by message or timing).
    """
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    holder = _lock_holder(username, user)
    now = clock.now()
    try:
        HASHER.verify(user.password_hash if user else DUMMY_HASH, password or "")
        matched = user is not None
    except (VerifyMismatchError, InvalidHashError):
        matched = False
    who = {"actor": user} if user else {"actor_name": (username or "?")[:64]}
    if holder.locked_until and holder.locked_until > now:
        audit.record("login_failed", **who, detail={"reason": "locked"})
        minutes = int((holder.locked_until - now).total_seconds() // 60) + 1
        raise NotAuthenticated(f"连续登录失败次数过多，账户已锁定，请{minutes}分钟后再试")
    if not matched:
        holder.failed_logins = (holder.failed_logins or 0) + 1
        if holder.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            holder.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            holder.failed_logins = 0
            if user is not None:
                revoke_access(user, reason="locked")
        audit.record("login_failed", **who, detail={"reason": "bad_password" if user else "unknown_user"})
        raise NotAuthenticated(BAD_LOGIN)
    if not user.active:
        from .accounts import pending_signups
        if pending_signups([user.id]):
            raise NotAuthenticated("账户尚未激活：请先点击注册时发送到您电子邮箱的验证链接")
        raise NotAuthenticated("账户已停用")
    user.failed_logins, user.locked_until = 0, None
    audit.record("login_succeeded", actor=user)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new bearer token for the JSON API (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(ApiToken(token_hash=_digest(token), user_id=user.id, created_at=now,
                            expires_at=now + timedelta(hours=current_app.config["API_TOKEN_HOURS"])))
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, if it is valid, unexpired and not revoked (one query)."""
    row = db.session.execute(
        select(User, ApiToken.expires_at).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))).first()
    if row is None or row[1] <= clock.now() or not row[0].active:
        return None
    return row[0]


def revoke_token(token: str, *, actor: User) -> None:
    """End one bearer token (DELETE /api/tokens/current)."""
    db.session.execute(update(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
    audit.record("token_revoked", actor=actor)


def start_session(user: User) -> str:
    """Open a server-side browser session and return its random id for the signed cookie."""
    sid = secrets.token_urlsafe(32)
    db.session.add(WebSession(sid_hash=_digest(sid), user_id=user.id, created_at=clock.now()))
    return sid


def user_for_session(user_id: str, sid: str | None) -> User | None:
    """The active user of a browser session that has not been ended (logout, revocation, lockout)."""
    if not sid or not user_id.isdigit():
        return None
    row = db.session.execute(
        select(User).join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.sid_hash == _digest(sid), WebSession.revoked_at.is_(None),
               User.id == int(user_id))).scalar_one_or_none()
    return row if row is not None and row.active else None


def end_session(sid: str | None, *, actor: User) -> None:
    """End this browser session on the server, so a copied cookie no longer works."""
    if sid:
        db.session.execute(update(WebSession).where(WebSession.sid_hash == _digest(sid))
                           .values(revoked_at=clock.now()))
    audit.record("logout", actor=actor)


def revoke_access(user: User, *, actor: User | None = None, reason: str = "sign_out_everywhere") -> None:
    """End every browser session and API token of a user (sign out everywhere, admin, lockout)."""
    now = clock.now()
    db.session.execute(update(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                       .values(revoked_at=now))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now))
    audit.record("access_revoked", actor=actor or user, detail={"user_id": user.id, "reason": reason})


def set_user_active(user: User, active: bool, *, actor: User) -> None:
    """Disable (ending all its sessions and tokens) or re-enable an account."""
    user.active = active
    if not active:
        revoke_access(user, actor=actor, reason="disabled")
    audit.record("user_enabled" if active else "user_disabled", actor=actor, detail={"user_id": user.id})
