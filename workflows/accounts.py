"""Administrator verbs on accounts: create with a one-time password, edit, reset, unlock, list and end logins."""
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select, update

from models import ROLES, Agency, ApiToken, Unit, User, db
from models.people import AgencySignup, LoginLock, WebSession

from . import audit, clock, labels
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .people import HASHER, create_user, revoke_access

# No 0/O, 1/l/I: a one-time password is read out or copied by hand.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
OFFICIAL_ROLES = tuple(r for r in ROLES if r != "agency")

labels.register("action", {
    "user_updated": "修改用户角色或单位", "user_disabled": "停用用户", "password_reset": "重置密码",
    "password_changed": "修改密码", "user_unlocked": "解除登录锁定", "login_revoked": "注销登录会话或令牌",
    "signup_submitted": "机构自助注册", "signup_verified": "注册邮箱验证"})


def one_time_password() -> str:
    """A random 12-character password, shown once to the administrator."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def require_admin(user) -> None:
    """Only the system administrator manages accounts."""
    if getattr(user, "role", None) != "admin":
        raise NotAllowed("只有系统管理员可以管理用户账户")


def get_user(user_id: int) -> User:
    """A user by id, or 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def list_users(actor) -> list[User]:
    """Every account, officials first by unit, then agencies."""
    require_admin(actor)
    return list(db.session.execute(select(User).order_by(User.role, User.unit_code, User.username)).scalars())


def pending_signups(user_ids) -> set[int]:
    """Which of these users signed up and have not yet verified their e-mail."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.execute(select(AgencySignup.user_id).where(
        AgencySignup.user_id.in_(ids), AgencySignup.verified_at.is_(None))).scalars())


def admin_create_user(actor, *, username: str, display_name: str | None, role: str, unit_code: str | None = None,
                      agency_id: int | None = None, email: str | None = None,
                      phone: str | None = None) -> tuple[User, str]:
    """Create an account with a one-time password that must be changed at first login."""
    require_admin(actor)
    password = one_time_password()
    user = create_user(username, password, role=role, display_name=display_name, unit_code=unit_code or None,
                       agency_id=agency_id, actor=actor)
    user.email, user.phone, user.must_change_password = email or None, phone or None, True
    return user, password


def update_user(actor, user: User, *, role: str, unit_code: str | None, agency_id: int | None,
                display_name: str | None = None) -> None:
    """Change an account's role, unit or agency (its logins end, so the new rights apply at once)."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = ["请选择有效的角色"]
    if unit_code and db.session.get(Unit, unit_code) is None:
        errors["unit"] = [f"单位代码 {unit_code} 不存在"]
    if role == "county_official" and not unit_code:
        errors["unit"] = ["县级监管人员必须指定所属县（市、区）"]
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        errors["agency"] = [f"机构 {agency_id} 不存在"]
    if user.id == actor.id and role != "admin":
        errors["role"] = ["不能取消自己的系统管理员角色"]
    if errors:
        raise InvalidInput("用户信息有误", errors)
    before = {"role": user.role, "unit": user.unit_code, "agency_id": user.agency_id}
    user.role, user.unit_code, user.agency_id = role, unit_code or None, agency_id
    if display_name:
        user.display_name = display_name[:64]
    after = {"role": user.role, "unit": user.unit_code, "agency_id": user.agency_id}
    if before != after and user.id != actor.id:
        revoke_access(user, actor=actor, reason="role_changed")
    audit.record("user_updated", actor=actor, detail={"user_id": user.id, "before": before, "after": after})


def disable_user_account(actor, user: User) -> None:
    """Disable an account (never one's own): its sessions and tokens end at once."""
    from .people import set_user_active
    require_admin(actor)
    if user.id == actor.id:
        raise Conflict("不能停用自己的账户")
    set_user_active(user, False, actor=actor)


def enable_user_account(actor, user: User) -> None:
    """Re-enable a disabled account (not one still waiting for its e-mail verification)."""
    from .people import set_user_active
    require_admin(actor)
    if user.id in pending_signups([user.id]):
        raise Conflict("该账户尚未完成邮箱验证，不能直接启用")
    set_user_active(user, True, actor=actor)


def reset_password(actor, user: User) -> str:
    """A new one-time password; the old one and every login end, the user must change it at next login."""
    require_admin(actor)
    password = one_time_password()
    user.password_hash, user.must_change_password = HASHER.hash(password), True
    user.failed_logins, user.locked_until = 0, None
    revoke_access(user, actor=actor, reason="password_reset")
    audit.record("password_reset", actor=actor, detail={"user_id": user.id})
    return password


def unlock_user(actor, user: User) -> None:
    """Lift a lock after repeated failed logins."""
    require_admin(actor)
    user.failed_logins, user.locked_until = 0, None
    lock = db.session.get(LoginLock, user.username)
    if lock is not None:
        lock.failed_logins, lock.locked_until = 0, None
    audit.record("user_unlocked", actor=actor, detail={"user_id": user.id})


def is_locked(user: User) -> bool:
    """Whether the account is locked now."""
    return bool(user.locked_until and user.locked_until > clock.now())


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """The user sets a new password (first login, after a reset, or at will); other logins end."""
    errors: dict[str, list[str]] = {}
    try:
        HASHER.verify(user.password_hash, current or "")
    except (VerifyMismatchError, InvalidHashError):
        errors["current"] = ["当前密码不正确"]
    if len(new or "") < 8:
        errors["new"] = ["新密码至少8位"]
    elif not (any(c.isdigit() for c in new) and any(c.isalpha() for c in new)):
        errors["new"] = ["新密码须同时包含字母和数字"]
    elif new == current:
        errors["new"] = ["新密码不能与当前密码相同"]
    if new != confirm:
        errors["confirm"] = ["两次输入的新密码不一致"]
    if errors:
        raise InvalidInput("密码未修改", errors)
    user.password_hash, user.must_change_password = HASHER.hash(new), False
    audit.record("password_changed", actor=user, detail={"user_id": user.id})


@dataclass
class Login:
    """One live browser session or API token, for the administrator's list."""

    kind: str  # "session" or "token"
    id: int
    user: User
    created_at: datetime
    expires_at: datetime | None


def live_logins(actor) -> list[Login]:
    """Every browser session and unexpired API token not yet ended, newest first."""
    require_admin(actor)
    now = clock.now()
    sessions = db.session.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                                  .where(WebSession.revoked_at.is_(None), User.active)).all()
    tokens = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                                .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now, User.active)).all()
    rows = [Login("session", s.id, u, s.created_at, None) for s, u in sessions]
    rows += [Login("token", t.id, u, t.created_at, t.expires_at) for t, u in tokens]
    return sorted(rows, key=lambda r: r.created_at, reverse=True)


def revoke_login(actor, kind: str, login_id: int) -> None:
    """End one browser session or one API token."""
    require_admin(actor)
    model = {"session": WebSession, "token": ApiToken}.get(kind)
    if model is None:
        raise NotFound("登录记录不存在")
    row = db.session.get(model, login_id)
    if row is None:
        raise NotFound("登录记录不存在")
    db.session.execute(update(model).where(model.id == login_id, model.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
    audit.record("login_revoked", actor=actor, detail={"user_id": row.user_id, "kind": kind, "id": login_id})
