"""Anfu (安服监管): the application factory, its settings and command-line commands."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from models import db


def _default_settings(instance: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'anfu.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ANFU_CITY": os.environ.get("ANFU_CITY", "jincheng"),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(os.environ.get("ANFU_SESSION_MINUTES", "30"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_MINUTES": 15,
        "API_TOKEN_HOURS": 12,
        # Behind a TLS-terminating proxy: Secure cookies and HSTS; PROXY_HOPS trusts X-Forwarded-* that deep.
        "BEHIND_TLS": os.environ.get("ANFU_TLS") == "1",
        "PROXY_HOPS": int(os.environ.get("ANFU_PROXY_HOPS", "0")),
        # Sliding windows (requests, seconds), in each worker's memory (views/security.py says why).
        "RATE_LIMIT_LOGIN": (60, 60),
        "RATE_LIMIT_LOGIN_ACCOUNT": (20, 60),
        "RATE_LIMIT_PUBLIC": (20, 600),
        "MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
        "DOCUMENT_MAX_BYTES": 20 * 1024 * 1024,
        "SCHEDULER_ENABLED": os.environ.get("ANFU_SCHEDULER") == "1",
        "SCHEDULER_SECONDS": int(os.environ.get("ANFU_TICK_SECONDS", "60")),
        "REDEPLOY_CHANGED_SHIPPED": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
    }


def _secret_key(instance: Path) -> str:
    if os.environ.get("ANFU_SECRET_KEY"):
        return os.environ["ANFU_SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # only the service account may read the key that signs sessions
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings (tests pass a database URI and TESTING)."""
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(_default_settings(instance))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgres://"):]
    elif uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]

    from rules.city_policy import load_city

    city = load_city(app.config["ANFU_CITY"])
    app.config["CITY_POLICY"] = city
    app.config["CITY_CODE"] = city.code

    from views import init_views
    from views.security import init_security
    from workflows.setup import init_engine

    db.init_app(app)
    init_engine(app)
    init_views(app)
    init_security(app)
    from commands import init_commands

    init_commands(app)
    return app
