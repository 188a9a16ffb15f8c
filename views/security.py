"""Request hardening (等保 2.0): server-side sessions, CSRF on cookie-authenticated API writes, security
headers, per-IP and per-account rate limits, safe redirects and 405 answers."""
import math
import threading
from collections import defaultdict, deque
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import MethodNotAllowed

from models import db
from workflows import clock
from workflows.errors import DomainError, NotAuthenticated
from workflows.people import authenticate, user_for_session

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Local assets only; bpmn-js sets style attributes on the SVG it draws, so styles may be inline, scripts not.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# Endpoints that take a password: limited per client IP and per account name.
LOGIN_ENDPOINTS = {"web.login", "api.create_token"}
# Every POST on the public blueprints (objections, complaints …), and any POST without a login, is limited
# per client IP and endpoint.
PUBLIC_PREFIX = "public"


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"


class MethodRefused(DomainError):
    status, code = 405, "method_not_allowed"


class RateLimiter:
    """A sliding window of request times per key, in this process's memory.

    Memory, not the database: no write per request and no table to prune; each worker counts on its own,
    so with W workers a client gets at most W times the limit. The account lockout, which is in the
    database, is what stops password guessing across workers; this throttles floods.
    """

    def __init__(self) -> None:
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, seconds: int) -> int:
        """Count one request; return 0 if allowed, else the seconds until the window frees a slot."""
        now = clock.now().timestamp()
        with self._lock:
            window = self._hits[key]
            while window and window[0] <= now - seconds:
                window.popleft()
            if len(window) >= limit:
                return max(1, math.ceil(window[0] + seconds - now))
            window.append(now)
            return 0


def safe_next(target: str | None) -> str | None:
    """A same-site path to go to after login, or None (refuses //host, /\\host, schemes, control chars)."""
    if not target or any(ord(c) < 0x21 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def login_checked(username: str, password: str):
    """Authenticate; a failure (count, lock, audit event) is committed on its own before the error goes up."""
    try:
        return authenticate(username, password)
    except NotAuthenticated:
        try:
            db.session.commit()
        except IntegrityError:  # a concurrent failure for the same unknown name created its lock row first
            db.session.rollback()
        raise


def _load_session_user(user_id: str):
    return user_for_session(user_id, session.get("sid"))


def _account_name() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        return str(body.get("username", "")) if isinstance(body, dict) else ""
    return request.form.get("username", "")


def _rate_limit():
    if request.method not in UNSAFE or request.endpoint is None:
        return None
    if request.endpoint in LOGIN_ENDPOINTS:
        limit, seconds = current_app.config["RATE_LIMIT_LOGIN"]
        keys = [f"login-ip:{request.remote_addr}", f"login-user:{_account_name().strip()[:64]}"]
        per_account = current_app.config["RATE_LIMIT_LOGIN_ACCOUNT"]
    elif (request.blueprint or "").startswith(PUBLIC_PREFIX) or not current_user.is_authenticated:
        limit, seconds = current_app.config["RATE_LIMIT_PUBLIC"]
        keys, per_account = [f"public-ip:{request.remote_addr}:{request.endpoint}"], None
    else:
        return None
    limiter: RateLimiter = current_app.extensions["anfu_rate_limiter"]
    wait = limiter.hit(keys[0], limit, seconds)
    if not wait and per_account:
        wait = limiter.hit(keys[1], *per_account)
    if wait:
        from views import error_response
        body, status = error_response(TooManyRequests(f"请求过于频繁，请{(wait + 59) // 60}分钟后再试"))
        return current_app.make_response((body, status, {"Retry-After": str(wait)}))
    return None


def _api_csrf():
    """The API takes bearer tokens as they are; a write carried only by the session cookie needs a CSRF token."""
    if (request.method in UNSAFE and request.path.startswith("/api/") and "_user_id" in session
            and not request.headers.get("Authorization") and current_app.config.get("WTF_CSRF_ENABLED", True)):
        from views import csrf
        csrf.protect()


def _headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["BEHIND_TLS"] or request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/tokens"):
        h["Cache-Control"] = "no-store"
    return response


def _method_not_allowed(err: MethodNotAllowed):
    from views import error_response
    body, status = error_response(MethodRefused("不支持该请求方法"))
    return current_app.make_response((body, status, {"Allow": ", ".join(err.valid_methods or [])}))


def init_security(app: Flask) -> None:
    """Wire the hooks above (after init_views, so the session loader and the 405 answer here win)."""
    from views import login_manager

    if app.config["BEHIND_TLS"]:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.extensions["anfu_rate_limiter"] = RateLimiter()
    login_manager.user_loader(_load_session_user)
    app.before_request(_rate_limit)
    app.before_request(_api_csrf)
    app.after_request(_headers)
    app.register_error_handler(MethodNotAllowed, _method_not_allowed)
