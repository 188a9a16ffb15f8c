"""Administrator pages: users (create, role, unit, agency, disable, reset, unlock), units, live logins."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from models import ROLES, Agency, Unit, User, db
from views.tx import commits
from workflows.accounts import (
    admin_create_user,
    enable_user_account,
    get_user,
    is_locked,
    list_users,
    live_logins,
    pending_signups,
    require_admin,
    reset_password,
    revoke_login,
    unlock_user,
    update_user,
)
from workflows.errors import InvalidInput, NotFound
from workflows.signup import signup_of

from . import web


def _choices() -> dict:
    units = db.session.execute(select(Unit).order_by(Unit.code)).scalars().all()
    agencies = db.session.execute(select(Agency).order_by(Agency.name)).scalars().all()
    return {"roles": ROLES, "units": units, "agencies": agencies}


def _agency_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 2**31 - 1:
        raise InvalidInput("用户信息有误", {"agency": ["请选择有效的机构"]})
    return int(raw)


def _users_page(errors: dict | None = None, form=None, created: tuple | None = None, status: int = 200):
    users = list_users(current_user)
    return render_template("admin/users.html", users=users, pending=pending_signups(u.id for u in users if not u.active),
                           locked={u.id for u in users if is_locked(u)}, errors=errors or {}, form=form or {},
                           created=created, **_choices()), status


@web.get("/admin/users")
@login_required
def users_page():
    """Every account, with a form to create one."""
    return _users_page()


@web.post("/admin/users")
@login_required
def users_create():
    """Create an account; the one-time password is shown on this page only, once."""
    require_admin(current_user)
    f = request.form
    try:
        user, password = admin_create_user(
            current_user, username=f.get("username", "").strip(), display_name=f.get("display_name", "").strip(),
            role=f.get("role", ""), unit_code=f.get("unit") or None, agency_id=_agency_id(f.get("agency")),
            email=f.get("email", "").strip() or None, phone=f.get("phone", "").strip() or None)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _users_page(err.errors, f, status=422)
    return _users_page(created=(user.username, user.display_name, password))


@web.get("/admin/users/<int:user_id>")
@login_required
def user_page(user_id: int):
    """One account: its details, what can be done to it, its live logins."""
    require_admin(current_user)
    return _user_page(get_user(user_id))


def _user_page(user: User, errors: dict | None = None, password: str | None = None, status: int = 200):
    logins = [r for r in live_logins(current_user) if r.user.id == user.id]
    return render_template("admin/user.html", user=user, logins=logins, errors=errors or {}, password=password,
                           locked=is_locked(user), pending=bool(pending_signups([user.id])),
                           signup=signup_of(user), **_choices()), status


@web.post("/admin/users/<int:user_id>")
@login_required
def user_update(user_id: int):
    """Change role, unit, agency or name."""
    require_admin(current_user)
    user = get_user(user_id)
    f = request.form
    try:
        update_user(current_user, user, role=f.get("role", ""), unit_code=f.get("unit") or None,
                    agency_id=_agency_id(f.get("agency")), display_name=f.get("display_name", "").strip() or None)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        return _user_page(get_user(user_id), err.errors, status=422)
    flash("已保存；该用户需重新登录后按新的角色和单位办理")
    return redirect(url_for("web.user_page", user_id=user.id))


@web.post("/admin/users/<int:user_id>/enable")
@login_required
@commits
def user_enable(user_id: int):
    """Re-enable a disabled account."""
    require_admin(current_user)
    user = get_user(user_id)
    enable_user_account(current_user, user)
    flash(f"已启用账户 {user.display_name}")
    return redirect(url_for("web.user_page", user_id=user.id))


@web.post("/admin/users/<int:user_id>/reset-password")
@login_required
def user_reset_password(user_id: int):
    """Issue a new one-time password (shown once); the user must change it at next login."""
    require_admin(current_user)
    user = get_user(user_id)
    password = reset_password(current_user, user)
    db.session.commit()
    return _user_page(user, password=password)


@web.post("/admin/users/<int:user_id>/unlock")
@login_required
@commits
def user_unlock(user_id: int):
    """Lift the lock left by repeated failed logins."""
    require_admin(current_user)
    user = get_user(user_id)
    unlock_user(current_user, user)
    flash(f"已解除 {user.display_name} 的登录锁定")
    return redirect(url_for("web.user_page", user_id=user.id))


@web.get("/admin/units")
@login_required
def units_page():
    """The city and its counties (GB/T 2260), with how many accounts each has."""
    require_admin(current_user)
    units = db.session.execute(select(Unit).order_by(Unit.code)).scalars().all()
    counts: dict[str, int] = {}
    for code in db.session.execute(select(User.unit_code).where(User.active)).scalars():
        counts[code] = counts.get(code, 0) + 1
    return render_template("admin/units.html", units=units, counts=counts)


@web.get("/admin/sessions")
@login_required
def sessions_page():
    """Every live browser session and API token, each with a button to end it."""
    return render_template("admin/sessions.html", logins=live_logins(current_user))


@web.post("/admin/sessions/revoke")
@login_required
@commits
def session_revoke():
    """End one browser session or API token (form fields kind and id)."""
    require_admin(current_user)
    raw = request.form.get("id", "")
    if not raw.isdigit() or int(raw) > 2**31 - 1:
        raise NotFound("登录记录不存在")
    revoke_login(current_user, request.form.get("kind", ""), int(raw))
    flash("已注销该登录")
    back = request.form.get("back")
    if back and back.isdigit() and int(back) <= 2**31 - 1:
        return redirect(url_for("web.user_page", user_id=int(back)))
    return redirect(url_for("web.sessions_page"))
