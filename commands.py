"""Command-line commands: bootstrap, tick, audit verify, users create, seed-demo, serve."""
import sys
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from models import Unit, db


def bootstrap_units() -> int:
    """Load the deployment city's units (GB/T 2260) from its policy data; idempotent."""
    city = current_app.config["CITY_POLICY"]
    added = 0
    for code, name, parent, level in city.unit_rows():
        unit = db.session.get(Unit, code)
        if unit is None:
            db.session.add(Unit(code=code, name=name, parent_code=parent, level=level))
            db.session.flush()
            added += 1
    return added


def init_commands(app: Flask) -> None:
    """Register the CLI."""
    from workflows.audit import verify_chain
    from workflows.deploy import deploy_shipped
    from workflows.errors import DomainError
    from workflows.people import create_user
    from workflows.timers import tick

    @app.cli.command("bootstrap")
    def bootstrap_cmd() -> None:
        """Load units and deploy the shipped diagrams that are not deployed yet (idempotent)."""
        units = bootstrap_units()
        versions = deploy_shipped()
        from workflows.links import start_pending_links
        started = start_pending_links()
        db.session.commit()
        if started:
            click.echo(f"pending follow-up cases started: {started}")
        click.echo(f"units added: {units}; processes deployed: {', '.join(f'{v.process_key} v{v.version}' for v in versions) or 'none'}")

    @app.cli.command("tick")
    @click.option("--now", "now_iso", default=None, help="ISO 8601 time to act as now (default: real time)")
    def tick_cmd(now_iso: str | None) -> None:
        """Fire every due timer; prints how many fired."""
        now = None
        if now_iso:
            now = datetime.fromisoformat(now_iso)
            if now.tzinfo is None:
                from workflows.clock import SHANGHAI
                now = now.replace(tzinfo=SHANGHAI)
        click.echo(f"fired: {tick(now)}")

    audit_cli = AppGroup("audit", help="Audit trail commands.")

    @audit_cli.command("verify")
    def audit_verify() -> None:
        """Check the SHA-256 chain; exit 1 naming the first altered or missing event."""
        report = verify_chain()
        if report.ok:
            click.echo(f"audit chain OK: {report.checked} events")
            return
        where = f" at event {report.first_bad_seq}" if report.first_bad_seq else ""
        click.echo(f"audit chain BROKEN{where}: {report.reason}", err=True)
        sys.exit(1)

    app.cli.add_command(audit_cli)

    users_cli = AppGroup("users", help="User administration.")

    @users_cli.command("create")
    @click.argument("name")
    @click.option("--role", required=True)
    @click.option("--unit", "unit_code", default=None)
    @click.option("--agency", "agency_id", type=int, default=None)
    @click.option("--display-name", default=None)
    @click.option("--password-stdin", is_flag=True, help="read the password from standard input")
    def users_create(name: str, role: str, unit_code: str | None, agency_id: int | None,
                     display_name: str | None, password_stdin: bool) -> None:
        """Create a user; the password is read from stdin."""
        if not password_stdin:
            raise click.UsageError("请使用 --password-stdin 从标准输入提供密码")
        password = sys.stdin.readline().rstrip("\n")
        try:
            user = create_user(name, password, role=role, unit_code=unit_code, agency_id=agency_id,
                               display_name=display_name)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            details = "; ".join(f"{k}: {'，'.join(v)}" for k, v in (err.errors or {}).items())
            click.echo(f"error: {err.message} {details}", err=True)
            sys.exit(2)
        click.echo(f"created user {user.username} (id {user.id}, role {user.role}, unit {user.unit_code})")

    app.cli.add_command(users_cli)

    cal_cli = AppGroup("calendar", help="The administrator's holiday / make-up workday table.")

    @cal_cli.command("set")
    @click.argument("day")
    @click.option("--workday/--off", "is_workday", required=True, help="调休上班日 or 法定节假日")
    @click.option("--note", required=True, help="basis, e.g. the State Council notice")
    def calendar_set(day: str, is_workday: bool, note: str) -> None:
        """Declare DAY (YYYY-MM-DD) a working day or a day off."""
        from datetime import date

        from workflows.calendar_admin import set_calendar_day
        set_calendar_day(None, date.fromisoformat(day), is_workday=is_workday, note=note)
        db.session.commit()
        click.echo(f"{day}: {'workday' if is_workday else 'day off'} ({note})")

    @cal_cli.command("year")
    @click.argument("year", type=int)
    @click.option("--source", required=True, help="文号 of the holiday arrangement notice")
    def calendar_year(year: int, source: str) -> None:
        """Declare YEAR complete in the table (its dates stop being provisional)."""
        from workflows.calendar_admin import declare_year
        declare_year(None, year, source)
        db.session.commit()
        click.echo(f"{year}: complete ({source})")

    app.cli.add_command(cal_cli)

    reports_cli = AppGroup("reports", help="Periodic business reports ([JC] 第十五条; [WJ] 第十五条).")

    @reports_cli.command("open")
    @click.option("--period", required=True, help="2026 (annual) or 2026H1 / 2026H2 (half-yearly)")
    @click.option("--late", is_flag=True, help="open even though the period's due date has passed")
    def reports_open(period: str, late: bool) -> None:
        """Open the period's report case for every registered agency that has none (idempotent)."""
        from workflows.reports import open_period_reports, rules_warning
        try:
            opened = open_period_reports(period, allow_late=late)
            db.session.commit()
            if warning := rules_warning(period.strip().upper()):
                click.echo(warning, err=True)
        except DomainError as err:
            db.session.rollback()
            details = "; ".join(f"{k}: {'，'.join(v)}" for k, v in (err.errors or {}).items())
            click.echo(f"error: {err.message} {details}", err=True)
            sys.exit(2)
        click.echo(f"reports opened for {period}: {len(opened)}")

    @reports_cli.command("open-due")
    @click.option("--now", "now_iso", default=None, help="ISO 8601 time to act as now (default: real time)")
    def reports_open_due(now_iso: str | None) -> None:
        """Open the last closed period's reports while its due date has not passed (what the scheduler runs)."""
        from workflows.reports import open_due_reports
        now = datetime.fromisoformat(now_iso) if now_iso else None
        if now is not None and now.tzinfo is None:
            from workflows.clock import SHANGHAI
            now = now.replace(tzinfo=SHANGHAI)
        opened = open_due_reports(now)
        db.session.commit()
        click.echo(f"reports opened: {len(opened)}")

    app.cli.add_command(reports_cli)

    @app.cli.command("seed-demo")
    def seed_demo_cmd() -> None:
        """Load demo users (passwords printed; demo only), units and agencies in several states."""
        from demo import seed_demo
        for line in seed_demo():
            click.echo(line)

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    def serve_cmd(host: str, port: int) -> None:
        """Serve with waitress and run the timer scheduler in the background."""
        from waitress import serve

        from workflows.setup import start_scheduler
        start_scheduler(current_app._get_current_object())
        click.echo(f"安服监管 running on http://{host}:{port}/ (timer scheduler every "
                   f"{current_app.config['SCHEDULER_SECONDS']}s)")
        serve(current_app._get_current_object(), host=host, port=port, threads=8)
