"""Fixtures: a real database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL), the app, clients.

The schema is built once per session by running the Alembic migrations; each test then gets a copy of that
SQLite file (or, on PostgreSQL, emptied tables), bootstrapped with the city's units and shipped diagrams.
"""
import os
import shutil
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from models import db

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """Migrate a fresh database once per session (the migrations themselves are under test here)."""
    from flask_migrate import upgrade
    if PG_URL:
        app = create_app({"SQLALCHEMY_DATABASE_URI": PG_URL, "TESTING": True, "SECRET_KEY": "t"})
        with app.app_context():
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            upgrade()
            db.session.remove()
            db.engine.dispose()  # else its pooled connection is garbage-collected open mid-run (ResourceWarning)
        return None
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "SECRET_KEY": "t",
                      "AUDIT_HEAD_PATH": str(path.parent / "audit-head.log")})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _empty_pg_tables() -> None:
    names = [t.name for t in reversed(db.metadata.sorted_tables)]
    db.session.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request starts like in production: no cached login user, a fresh database session.

    (Tests keep an app context pushed for direct database checks; Flask reuses it for requests.)
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            db.session.remove()
        return super().open(*args, **kwargs)


def make_app(tmp_path: Path, template, **overrides):
    """An app on a fresh copy of the migrated database, bootstrapped (units + shipped processes)."""
    if PG_URL:
        uri = PG_URL
    else:
        target = tmp_path / "anfu.sqlite"
        shutil.copy(template, target)
        uri = f"sqlite:///{target}"
    config = {"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "test-secret",
              "WTF_CSRF_ENABLED": False, "AUDIT_HEAD_PATH": str(tmp_path / "audit-head.log")}
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if PG_URL:
            _empty_pg_tables()
        from commands import bootstrap_units
        from workflows.deploy import deploy_shipped
        bootstrap_units()
        deploy_shipped()
        db.session.commit()
    return app


@pytest.fixture
def app(tmp_path, _template_db):
    app = make_app(tmp_path, _template_db)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


from tests.factories import *
