"""Accounts over the API: the administrator's user list, creation and disabling; agencies' self sign-up."""
from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import ROLES
from views.tx import commits
from workflows import clock
from workflows.accounts import (
    admin_create_user,
    disable_user_account,
    get_user,
    list_users,
    pending_signups,
    require_admin,
)
from workflows.errors import NotAllowed
from workflows.signup import send_verification, signup_agency

from . import api
from ._io import me, parse

# Endpoints a user who must still change a one-time password may reach over the API.
_BEFORE_CHANGE = {"api.delete_current_token", "api.openapi_json"}


class UserIn(Schema):
    """POST /api/users."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(list(ROLES)))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12))
    agency_id = fields.Integer(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class SignupIn(Schema):
    """POST /api/signup: no role field (only agencies sign up)."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    agency_name = fields.String(required=True, validate=validate.Length(max=200))
    credit_code = fields.String(required=True, validate=validate.Length(max=18))
    contact_name = fields.String(required=True, validate=validate.Length(max=64))
    email = fields.String(required=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


@api.before_request
def _password_change_first():
    """A one-time password opens nothing but the change-password page."""
    if (request.endpoint not in _BEFORE_CHANGE and current_user.is_authenticated
            and current_user.must_change_password):
        raise NotAllowed("请先登录网页修改初始密码后再使用")


def user_dict(user, pending: set[int] = frozenset()) -> dict:
    """An account as the administrator sees it (never its password hash)."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "role_title": user.role_title, "unit": user.unit_code, "agency_id": user.agency_id,
            "email": user.email, "phone": user.phone, "active": user.active,
            "locked": bool(user.locked_until and user.locked_until > clock.now()),
            "must_change_password": user.must_change_password, "pending_verification": user.id in pending,
            "created_at": user.created_at}


@api.get("/users")
def get_users():
    """Every account (administrator only).
    ---
    get:
      summary: 用户列表（系统管理员）
      responses:
        200: {description: 用户, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {type: object}}}}}}}
    """
    users = list_users(me())
    pending = pending_signups(u.id for u in users if not u.active)
    return {"items": [user_dict(u, pending) for u in users]}


@api.post("/users")
@commits
def post_user():
    """Create an account with a one-time password (administrator only); it must be changed at first login.
    ---
    post:
      summary: 新建用户（系统管理员），返回一次性密码
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [username, display_name, role]
              properties:
                username: {type: string, minLength: 1, maxLength: 64}
                display_name: {type: string, minLength: 1, maxLength: 64}
                role: {type: string, enum: [agency, county_official, city_official, leader, expert, process_owner, auditor, admin]}
                unit: {type: string, nullable: true, maxLength: 12}
                agency_id: {type: integer, nullable: true, minimum: 0, maximum: 2147483647}
                email: {type: string, format: email, nullable: true}
                phone: {type: string, nullable: true, maxLength: 32}
      responses:
        201: {description: 已创建；one_time_password 只显示这一次, content: {application/json: {schema: {type: object}}}}
    """
    actor = me()
    require_admin(actor)
    body = parse(UserIn())
    user, password = admin_create_user(actor, username=body["username"], display_name=body["display_name"],
                                       role=body["role"], unit_code=body["unit"], agency_id=body["agency_id"],
                                       email=body["email"], phone=body["phone"])
    return dict(user_dict(user), one_time_password=password), 201


@api.post("/users/<int:user_id>/disable")
@commits
def post_user_disable(user_id: int):
    """Disable an account (administrator only): its sessions and tokens end at once.
    ---
    post:
      summary: 停用用户（系统管理员）
      responses:
        200: {description: 已停用, content: {application/json: {schema: {type: object}}}}
    """
    actor = me()
    require_admin(actor)
    user = get_user(user_id)
    disable_user_account(actor, user)
    return user_dict(user)


@api.post("/signup")
def post_signup():
    """An agency signs up; the account is activated by the link e-mailed to it (officials never sign up).
    ---
    post:
      summary: 机构自助注册（邮箱验证后方可登录）
      security: []
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [username, password, agency_name, credit_code, contact_name, email]
              additionalProperties: false
              properties:
                username: {type: string, minLength: 1, maxLength: 64}
                password: {type: string, maxLength: 200}
                agency_name: {type: string, maxLength: 200}
                credit_code: {type: string, maxLength: 18}
                contact_name: {type: string, maxLength: 64}
                email: {type: string, maxLength: 254}
                phone: {type: string, nullable: true, maxLength: 32}
      responses:
        201: {description: 已注册，待邮箱验证, content: {application/json: {schema: {type: object}}}}
        429: {description: 请求过于频繁, content: {application/json: {schema: ErrorOut}}}
    """
    from models import db
    body = parse(SignupIn())
    try:
        user, token = signup_agency(body)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    sent = send_verification(user, token, request.host_url)
    return {"id": user.id, "username": user.username, "verification_sent": sent,
            "message": "注册成功，请打开发送到您电子邮箱的验证链接激活账户" if sent
            else "注册成功，但验证邮件未能发送，请联系主管部门"}, 201
