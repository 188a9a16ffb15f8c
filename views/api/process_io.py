"""Helpers of the process owners' API: dicts of versions and drafts, readers allowed, CSRF for cookie calls."""
from functools import wraps

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from models import User, db
from workflows.errors import DomainError, NotAllowed
from workflows.layout import has_di
from workflows.validation import safe_xml

READER_ROLES = {"process_owner", "auditor", "admin"}


def ensure_reader(user) -> None:
    """Process owners, auditors and administrators may read versions, diffs and diagrams' history."""
    if user.role not in READER_ROLES:
        raise NotAllowed("只有流程管理员、审计人员和系统管理员可以查看流程版本")


def ensure_official(user) -> None:
    """Diagrams are shown to platform staff (not to agencies)."""
    if user.role == "agency":
        raise NotAllowed("无权查看流程图")


def cookie_csrf(view):
    """State changes from the browser (session cookie, no bearer token) must carry the X-CSRFToken header."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        bearer = request.headers.get("Authorization", "").startswith("Bearer ")
        if not bearer and current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except ValidationError:
                raise DomainError("页面已过期或请求来源不明（CSRF 校验失败），请刷新后重试") from None
        return view(*args, **kwargs)
    return wrapper


def version_dict(version) -> dict:
    """A deployed version as listed to process owners."""
    user = db.session.get(User, version.deployed_by_id) if version.deployed_by_id else None
    return {"process": version.process_key, "version": version.version, "title": version.title,
            "checksum": version.checksum, "deployed_at": version.deployed_at,
            "deployed_by": user.display_name if user else "系统", "reason": version.reason}


def draft_dict(draft) -> dict:
    """A draft with the problems its last save found."""
    return {"id": draft.id, "process": draft.process_key, "status": draft.status,
            "base_version": draft.base_version.version if draft.base_version else None,
            "published_version": draft.published_version.version if draft.published_version else None,
            "problems": draft.problems or [], "publishable": draft.status == "draft" and not draft.problems,
            "updated_at": draft.updated_at}


def drawable(xml: str) -> bool:
    """Whether the XML parses safely and already carries DI."""
    try:
        return has_di(safe_xml(xml))
    except Exception:  # noqa: BLE001 - unsafe or malformed XML is simply not drawable as is
        return False
