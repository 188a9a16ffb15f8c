"""Wiring of the persistence layer: migrations, SQLite pragmas, the SQL statement counter, the scheduler."""
import logging
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models import db

migrate = Migrate()
log = logging.getLogger("anfu.scheduler")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    import sqlite3
    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


class StatementCounter:
    """Counts SQL statements and commits on an engine (benchmarks and the statement-budget test)."""

    def __init__(self, engine: Engine):
        self.statements = 0
        self.commits = 0
        self.log: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "commit", self._on_commit)
        self.engine = engine

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements += 1
        self.log.append(statement.split("\n")[0][:120])

    def _on_commit(self, conn) -> None:
        self.commits += 1

    def reset(self) -> None:
        self.statements, self.commits, self.log = 0, 0, []

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
        event.remove(self.engine, "commit", self._on_commit)


def _open_due_reports() -> None:
    """After each tick: open the last closed period's report cases (periodic reports, [JC]/[WJ] 第十五条)."""
    from .errors import DomainError
    from .reports import open_due_reports
    try:
        if opened := open_due_reports():
            db.session.commit()
            log.info("periodic reports opened: %s", len(opened))
    except DomainError as err:
        db.session.rollback()
        log.warning("periodic reports not opened: %s", err.message)


def start_scheduler(app: Flask):
    """Tick every SCHEDULER_SECONDS in a background thread (APScheduler), one unit of work per due case."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from .timers import tick

    def job() -> None:
        with app.app_context():
            try:
                fired = tick()
                if fired:
                    log.info("timers fired: %s", fired)
                _open_due_reports()
            finally:
                db.session.remove()

    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(job, "interval", seconds=app.config["SCHEDULER_SECONDS"], id="tick", max_instances=1,
                      coalesce=True)
    scheduler.start()
    return scheduler


def _render_item(type_, obj, autogen_context):
    """Render our UTCDateTime as a plain DateTime in migrations (they must not import the models)."""
    from models.base import UTCDateTime
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def init_engine(app: Flask) -> None:
    """Bind migrations to the app."""
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True, render_item=_render_item)
