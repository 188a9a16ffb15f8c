"""Login and logout pages (CSRF-protected form, lockout after repeated failures)."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from models import db
from workflows import audit
from workflows.errors import NotAuthenticated
from workflows.people import authenticate

from . import web


@web.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on success go to the inbox (or where the user was going)."""
    error = None
    if request.method == "POST":
        try:
            user = authenticate(request.form.get("username", "").strip(), request.form.get("password", ""))
        except NotAuthenticated as err:
            db.session.commit()  # keep the failure count and the audit event
            error = err.message
        else:
            db.session.commit()
            session.permanent = True
            login_user(user)
            target = request.args.get("next") or ""
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("web.home")
            return redirect(target)
    return render_template("login.html", error=error, username=request.form.get("username", "")), \
        (401 if error else 200)


@web.post("/logout")
@login_required
def logout():
    """End the session."""
    audit.record("logout", actor=current_user)
    db.session.commit()
    logout_user()
    flash("已退出登录")
    return redirect(url_for("web.login"))


@web.get("/")
def home():
    """Officials land on their inbox; visitors on the public directory."""
    if current_user.is_authenticated:
        if current_user.role == "auditor":
            return redirect(url_for("web.audit_search"))
        return redirect(url_for("web.inbox_page"))
    return redirect(url_for("public.directory"))
