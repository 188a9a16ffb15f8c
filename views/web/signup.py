"""Agency self sign-up pages: the form on the public site and the e-mail verification link."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from models import db
from workflows.errors import Conflict, InvalidInput, NotFound
from workflows.signup import LINK_HOURS, check_signup, send_verification, signup_agency, verify_signup

from . import web

FIELDS = ("username", "password", "agency_name", "credit_code", "contact_name", "email", "phone")


@web.route("/signup", methods=["GET", "POST"])
def signup_page():
    """An agency creates its account (officials are created by the administrator, never here)."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    errors: dict = {}
    if request.method == "POST":
        data = {k: request.form.get(k, "").strip() for k in FIELDS}
        data["password"] = request.form.get("password", "")
        if data["password"] != request.form.get("confirm", ""):
            errors = dict(check_signup(data), confirm=["两次输入的密码不一致"])
        try:
            if errors:
                raise InvalidInput("注册信息有误", errors)
            user, token = signup_agency(data)
            db.session.commit()
        except InvalidInput as err:
            db.session.rollback()
            errors = err.errors or {}
        else:
            sent = send_verification(user, token, request.host_url)
            return render_template("public/signup_sent.html", email=user.email, sent=sent, hours=LINK_HOURS)
    form = {k: request.form.get(k, "") for k in FIELDS if k != "password"}
    return render_template("public/signup.html", errors=errors, form=form), (422 if errors else 200)


@web.get("/signup/verify")
def signup_verify():
    """Follow the link from the e-mail: the account becomes active and can log in."""
    token = request.args.get("token", "")
    try:
        user = verify_signup(token)
        db.session.commit()
    except (NotFound, Conflict) as err:
        db.session.rollback()
        return render_template("public/signup_verified.html", error=err.message), err.status
    return render_template("public/signup_verified.html", error=None, username=user.username)
