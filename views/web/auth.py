"""Login and logout pages (CSRF-protected form, lockout), forced password change, sign out everywhere and admin
revocation."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from models import User, db
from views.security import login_checked, safe_next
from views.tx import commits
from workflows.accounts import change_password, disable_user_account
from workflows.errors import InvalidInput, NotAllowed, NotAuthenticated, NotFound
from workflows.people import end_session, revoke_access, start_session

from . import web


@web.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on success go to the inbox (or where the user was going, if it is on this site)."""
    error = None
    if request.method == "POST":
        try:
            user = login_checked(request.form.get("username", "").strip(), request.form.get("password", ""))
        except NotAuthenticated as err:
            error = err.message
        else:
            sid = start_session(user)
            db.session.commit()
            session.clear()  # no session fixation: a fresh cookie for the new login
            session["sid"] = sid
            session.permanent = True
            login_user(user)
            if user.must_change_password:
                flash("您使用的是初始密码或重置后的密码，请先设置新密码")
                return redirect(url_for("web.change_password_page"))
            return redirect(safe_next(request.args.get("next")) or url_for("web.home"))
    return render_template("login.html", error=error, username=request.form.get("username", "")), \
        (401 if error else 200)


# Pages a user holding a one-time password may open before changing it.
_BEFORE_CHANGE = {"web.change_password_page", "web.logout", "web.logout_everywhere", "static"}


@web.before_request
def _password_change_first():
    """A one-time or reset password opens nothing but the change-password form."""
    if (request.endpoint not in _BEFORE_CHANGE and current_user.is_authenticated
            and current_user.must_change_password):
        return redirect(url_for("web.change_password_page"))
    return None


@web.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page():
    """Set a new password (required after a one-time or reset password); other devices are signed out."""
    errors = {}
    if request.method == "POST":
        user = current_user._get_current_object()
        try:
            change_password(user, request.form.get("current", ""), request.form.get("new", ""),
                            request.form.get("confirm", ""))
            revoke_access(user, reason="password_changed")
            sid = start_session(user)
            db.session.commit()
        except InvalidInput as err:
            db.session.rollback()
            errors = err.errors
        else:
            session["sid"] = sid
            flash("密码已修改；其他设备上的登录已全部退出")
            return redirect(url_for("web.home"))
    return render_template("account_password.html", errors=errors), (422 if errors else 200)


@web.post("/logout")
@login_required
def logout():
    """End the session, on the server too: a copy of the cookie no longer works."""
    end_session(session.get("sid"), actor=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("已退出登录")
    return redirect(url_for("web.login"))


@web.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End all of my browser sessions and API tokens (a lost device, a shared password)."""
    revoke_access(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("已在所有设备上退出登录，所有访问令牌已作废")
    return redirect(url_for("web.login"))


def _target_user(user_id: int) -> User:
    if current_user.role != "admin":
        raise NotAllowed("只有系统管理员可以注销他人的登录")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


@web.post("/admin/users/<int:user_id>/revoke")
@login_required
@commits
def revoke_user_access(user_id: int):
    """Admin: end every session and token of a user."""
    user = _target_user(user_id)
    revoke_access(user, actor=current_user, reason="admin")
    flash(f"已注销 {user.display_name} 的全部登录会话和访问令牌")
    return redirect(url_for("web.user_page", user_id=user.id))


@web.post("/admin/users/<int:user_id>/disable")
@login_required
@commits
def disable_user(user_id: int):
    """Admin: disable an account; its sessions and tokens end at once."""
    user = _target_user(user_id)
    disable_user_account(current_user, user)
    flash(f"已停用账户 {user.display_name}")
    return redirect(url_for("web.user_page", user_id=user.id))


@web.get("/")
def home():
    """Officials land on their inbox; visitors on the public directory."""
    if current_user.is_authenticated:
        if current_user.role == "auditor":
            return redirect(url_for("web.audit_search"))
        return redirect(url_for("web.inbox_page"))
    return redirect(url_for("public.directory"))
