"""Agency self sign-up (机构自助注册): an inactive agency account, activated by a link sent to its e-mail.

Only the agency role can come into being this way; officials are created by the administrator. The link is
sent after commit through the notification channel's SMTP settings (ANFU_SMTP_HOST/PORT/FROM); only the
link's SHA-256 is stored.
"""
import hashlib
import logging
import re
import secrets
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from models import Agency, User, db
from models.people import AgencySignup
from rules.credit_code import credit_code_error

from . import audit, clock
from .errors import Conflict, InvalidInput, NotFound
from .notify import setting
from .people import create_user

log = logging.getLogger("anfu.signup")
LINK_HOURS = 24
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_signup(data: dict) -> dict:
    """Field errors of a sign-up (empty when it may go ahead)."""
    errors: dict[str, list[str]] = {}
    code = (data.get("credit_code") or "").strip().upper()
    if not USERNAME.fullmatch(data.get("username") or ""):
        errors["username"] = ["用户名为3–64位字母、数字、下划线、点或连字符"]
    elif db.session.execute(select(User.id).where(User.username == data["username"])).first():
        errors["username"] = ["用户名已存在"]
    if len(data.get("password") or "") < 8:
        errors["password"] = ["密码至少8位"]
    if not (data.get("agency_name") or "").strip() or len(data["agency_name"]) > 200:
        errors["agency_name"] = ["请填写单位名称（不超过200字）"]
    if (msg := credit_code_error(code)):
        errors["credit_code"] = [msg]
    elif db.session.execute(select(Agency.id).where(Agency.credit_code == code,
                                                    Agency.status == "registered")).first():
        errors["credit_code"] = ["该统一社会信用代码已登记建档，请使用本机构已有账户登录"]
    elif db.session.execute(select(AgencySignup.id).where(AgencySignup.credit_code == code,
                                                          AgencySignup.expires_at > clock.now())).first():
        errors["credit_code"] = ["该统一社会信用代码已有注册申请，请查收验证邮件"]
    if not (data.get("contact_name") or "").strip() or len(data["contact_name"]) > 64:
        errors["contact_name"] = ["请填写联系人姓名"]
    if not EMAIL.fullmatch(data.get("email") or "") or len(data["email"]) > 254:
        errors["email"] = ["请填写有效的电子邮箱，验证链接将发送至该邮箱"]
    if data.get("phone") and not PHONE.fullmatch(data["phone"]):
        errors["phone"] = ["请填写11位手机号或带区号的固定电话"]
    return errors


def signup_agency(data: dict) -> tuple[User, str]:
    """Create an inactive agency account and its sign-up record; returns the user and the one verification token."""
    errors = check_signup(data)
    if errors:
        raise InvalidInput("注册信息有误", errors)
    user = create_user(data["username"], data["password"], role="agency",
                       display_name=data["contact_name"].strip()[:64])
    user.active, user.email, user.phone = False, data["email"], data.get("phone") or None
    token, now = secrets.token_urlsafe(32), clock.now()
    db.session.add(AgencySignup(
        user_id=user.id, credit_code=data["credit_code"].strip().upper(), agency_name=data["agency_name"].strip(),
        contact_name=data["contact_name"].strip(), email=data["email"], phone=data.get("phone") or None,
        token_hash=_digest(token), created_at=now, expires_at=now + timedelta(hours=LINK_HOURS)))
    db.session.flush()
    audit.record("signup_submitted", actor=user, detail={"user_id": user.id, "credit_code": data["credit_code"]})
    return user, token


def verify_signup(token: str) -> User:
    """Follow the e-mail link: the account becomes active (once; an expired link is refused)."""
    row = db.session.execute(select(AgencySignup).where(AgencySignup.token_hash == _digest(token or ""))
                             ).scalar_one_or_none()
    if row is None:
        raise NotFound("验证链接无效")
    if row.verified_at is not None:
        raise Conflict("该账户已完成验证，请直接登录")
    if row.expires_at <= clock.now():
        raise Conflict("验证链接已过期，请重新注册")
    user = db.session.get(User, row.user_id)
    row.verified_at, user.active = clock.now(), True
    audit.record("signup_verified", actor=user, detail={"user_id": user.id})
    return user


def signup_of(user: User) -> AgencySignup | None:
    """The sign-up record of an agency account, if it signed up itself."""
    return db.session.execute(select(AgencySignup).where(AgencySignup.user_id == user.id)).scalar_one_or_none()


def send_verification(user: User, token: str, base_url: str) -> bool:
    """E-mail the activation link (after commit); False when it could not be sent (logged, never raised)."""
    base = setting("ANFU_BASE_URL", "") or base_url.rstrip("/")
    link = f"{base}/signup/verify?token={token}"
    if not setting("ANFU_SMTP_HOST"):
        log.warning("未配置邮件服务器，无法发送注册验证邮件（用户 %s）", user.username)
        return False
    msg = EmailMessage()
    msg["Subject"] = "【安服监管】请验证您的机构账户"
    msg["From"] = setting("ANFU_SMTP_FROM", "anfu@localhost")
    msg["To"] = user.email
    msg.set_content(f"{user.display_name}：\n\n您在安服监管平台注册了机构账户“{user.username}”。请在{LINK_HOURS}小时内"
                    f"打开以下链接完成验证，验证后即可登录并申请登记建档：\n\n{link}\n\n"
                    "如非本人操作，请忽略本邮件。（本邮件由安服监管平台自动发送，请勿回复。）")
    try:
        with smtplib.SMTP(setting("ANFU_SMTP_HOST"), int(setting("ANFU_SMTP_PORT", 25)), timeout=10) as smtp:
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException):
        log.exception("注册验证邮件发送失败")
        return False
    return True
