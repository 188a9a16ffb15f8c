"""People and access: login lockout, session timeout, CSRF, the users CLI, unit list per city."""
from datetime import timedelta

from freezegun import freeze_time

from models import AuditEvent, User, db
from tests.conftest import make_app
from tests.factories import PASSWORD


def test_lockout_after_repeated_failures_then_unlock_after_wait(app, client, make_user):
    """After LOGIN_MAX_FAILURES wrong passwords the account is locked for LOGIN_LOCK_MINUTES; all audited."""
    user = make_user("county_official", unit="140502")
    with freeze_time("2026-11-22 09:00:00+08:00") as frozen:
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            res = client.post("/login", data={"username": user.username, "password": "wrong"})
            assert res.status_code == 401 and "用户名或密码不正确" in res.get_data(as_text=True)
        res = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert res.status_code == 401 and "账户已锁定" in res.get_data(as_text=True)
        assert client.post("/api/tokens", json={"username": user.username, "password": PASSWORD}).status_code == 401
        frozen.tick(timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] + 1))
        res = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert res.status_code == 302 and res.headers["Location"].endswith("/")
    actions = [e.action for e in db.session.query(AuditEvent).filter(AuditEvent.actor_id == user.id)]
    # 5 bad passwords + the locked web login + the locked API login (its failure is kept, not rolled back)
    assert actions.count("login_failed") == 7 and actions[-1] == "login_succeeded"


def test_session_expires_after_inactivity(app, client, make_user):
    """The session cookie is permanent with PERMANENT_SESSION_LIFETIME; after it, the inbox asks to log in."""
    user = make_user("county_official", unit="140502")
    with freeze_time("2026-11-22 09:00:00+08:00") as frozen:
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        assert client.get("/inbox").status_code == 200
        frozen.tick(app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1))
        res = client.get("/inbox")
        assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_forms_without_csrf_token_are_refused(tmp_path, _template_db):
    """HTML forms carry a CSRF token; a POST without it is refused with a Chinese message."""
    app = make_app(tmp_path, _template_db, WTF_CSRF_ENABLED=True)
    with app.app_context():
        res = app.test_client().post("/login", data={"username": "x", "password": "y"})
        assert res.status_code == 400 and "CSRF" in res.get_data(as_text=True)
        db.engine.dispose()


def test_users_create_command_reads_password_from_stdin(app):
    """`flask users create NAME --role ROLE --unit CODE --password-stdin`."""
    runner = app.test_cli_runner()
    res = runner.invoke(args=["users", "create", "zhang", "--role", "county_official", "--unit", "140521",
                              "--password-stdin"], input="s3cret-pass\n")
    assert res.exit_code == 0, res.output
    user = db.session.query(User).filter_by(username="zhang").one()
    assert user.role == "county_official" and user.unit_code == "140521"
    res = runner.invoke(args=["users", "create", "li", "--role", "mayor", "--password-stdin"], input="s3cret-pass\n")
    assert res.exit_code == 2 and "role" in res.output
    res = runner.invoke(args=["users", "create", "wang", "--role", "county_official", "--unit", "999999",
                              "--password-stdin"], input="s3cret-pass\n")
    assert res.exit_code == 2 and "999999" in res.output


def test_agency_user_may_exist_before_its_agency(api_as):
    """An agency user without an agency sees only what it started; registration binds it (see registration tests)."""
    agency = api_as("agency")
    assert agency.user.agency_id is None
    assert agency.get("/api/inbox").get_json()["items"] == []
    assert agency.get("/api/cases").get_json()["items"] == []


def test_units_follow_the_deployment_city(tmp_path, _template_db):
    """ANFU_CITY picks the city's units (GB/T 2260): 临沂 371300 with its counties."""
    app = make_app(tmp_path, _template_db, ANFU_CITY="linyi")
    with app.app_context():
        items = app.test_client().get("/api/units").get_json()["items"]
        codes = {u["code"]: u["parent"] for u in items}
        assert codes["371300"] is None and codes["371302"] == "371300"
        db.engine.dispose()
