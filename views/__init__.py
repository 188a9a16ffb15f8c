"""Blueprints (JSON API, officials' pages, public pages), login, CSRF and the one error mapping."""
from flask import Flask, jsonify, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from models import User, db
from workflows.errors import DomainError, EngineFailure
from workflows.people import user_for_token
from workflows.runtime import record_engine_failure

login_manager = LoginManager()
csrf = CSRFProtect()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@login_manager.request_loader
def _load_bearer(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header[7:].strip())
    return None


def wants_json() -> bool:
    """True for the JSON API (and for clients that ask for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(err: DomainError):
    """Map a domain error to JSON `{error, message, errors?}` or a Chinese error page."""
    if wants_json():
        body = {"error": err.code, "message": err.message}
        if err.errors:
            body["errors"] = err.errors
        return jsonify(body), err.status
    return render_template("error.html", error=err), err.status


def init_views(app: Flask) -> None:
    """Register login, CSRF, blueprints and error handlers."""
    from .api import api
    from .hardening import init_hardening
    from .public import public
    from .public_complaints import public_complaints
    from .public_grading import public_grading
    from .public_list import public_list
    from .web import web

    init_hardening(app)  # the `int` converter must be in place before the blueprints add their rules
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = "请先登录"
    csrf.init_app(app)
    csrf.exempt(api)
    app.register_blueprint(api)
    app.register_blueprint(web)
    app.register_blueprint(public)
    app.register_blueprint(public_grading)
    app.register_blueprint(public_complaints)
    app.register_blueprint(public_list)

    @login_manager.unauthorized_handler
    def _unauthorized():
        if wants_json():
            return jsonify({"error": "unauthorized", "message": "请先登录或提供有效的访问令牌"}), 401
        from flask import redirect, url_for
        return redirect(url_for("web.login", next=request.full_path))

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        db.session.rollback()
        if isinstance(err, EngineFailure):
            record_engine_failure(getattr(err, "case_id", None), err.message)
            db.session.commit()
        return error_response(err)

    @app.errorhandler(CSRFError)
    def _csrf_error(err):
        return error_response(DomainError("页面已过期或请求来源不明（CSRF 校验失败），请刷新后重试"))

    @app.errorhandler(404)
    def _not_found(err):
        from workflows.errors import NotFound
        return error_response(NotFound("页面或资源不存在"))

    @app.errorhandler(405)
    def _not_allowed(err):
        return error_response(DomainError("不支持该请求方法"))

    @app.errorhandler(413)
    def _too_large(err):
        from workflows.errors import InvalidInput
        return error_response(InvalidInput("文件过大（不超过20MB）", {"file": ["文件过大（不超过20MB）"]}))

    from .filters import init_filters
    init_filters(app)
