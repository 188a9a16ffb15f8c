"""等保 2.0 身份鉴别与访问控制 (issue 10): API lockout, no username enumeration, revocable sessions and tokens,
CSRF on cookie-authenticated API writes."""
from models import AuditEvent, User, db
from tests.conftest import make_app
from tests.factories import PASSWORD
from workflows.people import create_user


def _token(client, username: str, password: str = PASSWORD):
    return client.post("/api/tokens", json={"username": username, "password": password})


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _web_login(client, username: str) -> None:
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302


def test_api_failures_lock_the_account_and_their_events_survive(app, client, make_user):
    """等保 2.0 登录失败处理: N bad POST /api/tokens lock the account (API and web) and keep login_failed events."""
    user = make_user("county_official", unit="140502")
    n = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(n):
        res = _token(client, user.username, "wrong-password")
        assert res.status_code == 401 and res.get_json()["message"] == "用户名或密码不正确"
    res = _token(client, user.username)
    assert res.status_code == 401 and "账户已锁定" in res.get_json()["message"]
    web = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert web.status_code == 401 and "账户已锁定" in web.get_data(as_text=True)
    failed = db.session.query(AuditEvent).filter_by(actor_id=user.id, action="login_failed").count()
    assert failed == n + 2
    assert db.session.get(User, user.id).locked_until is not None


def test_unknown_usernames_get_the_same_answers_and_lock(app, client, make_user):
    """No username enumeration: an unknown name fails, then locks, with exactly the words a real account gets."""
    user = make_user("county_official", unit="140502")
    answers = {}
    for name in (user.username, "no-such-person"):
        seen = [_token(client, name, "wrong-password").get_json()["message"]
                for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
        seen.append(client.post("/login", data={"username": name, "password": "x"}).get_data(as_text=True)
                    .split('role="alert">')[1].split("<")[0])
        answers[name] = seen
    assert answers[user.username] == answers["no-such-person"]
    assert "账户已锁定" in answers["no-such-person"][-1]
    events = db.session.query(AuditEvent).filter_by(actor_name="no-such-person", action="login_failed").count()
    assert events == app.config["LOGIN_MAX_FAILURES"] + 2


def test_unknown_usernames_pay_the_password_hash_too(app, client, monkeypatch):
    """Constant-time check: an unknown name is verified against a dummy argon2 hash (no ~10 ms vs ~100 ms gap)."""
    from workflows import people
    calls = []

    class Spy:
        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

    real = people.HASHER
    monkeypatch.setattr(people, "HASHER", Spy())
    assert _token(client, "nobody-here", "whatever-pass").status_code == 401
    assert calls == [people.DUMMY_HASH]


def test_logout_ends_the_session_on_the_server(app, client, make_user):
    """A session cookie copied before logout no longer works after it."""
    user = make_user("county_official", unit="140502")
    _web_login(client, user.username)
    stolen = client.get_cookie("session").value
    assert client.get("/inbox").status_code == 200
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    res = thief.get("/inbox")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_sign_out_everywhere_ends_other_sessions_and_tokens(app, client, make_user):
    """“退出所有设备”: every other browser session and every API token of the user stop working."""
    user = make_user("county_official", unit="140502")
    other = app.test_client()
    _web_login(other, user.username)
    token = _token(client, user.username).get_json()["token"]
    _web_login(client, user.username)
    assert client.post("/logout/everywhere").status_code == 302
    assert other.get("/inbox").status_code == 302
    assert client.get("/api/inbox", headers=_bearer(token)).status_code == 401


def test_delete_current_token_revokes_only_that_token(app, client, make_user):
    """Issue 12: DELETE /api/tokens/current ends the caller's token; another token of the user still works."""
    user = make_user("county_official", unit="140502")
    first, second = (_token(client, user.username).get_json()["token"] for _ in range(2))
    assert client.delete("/api/tokens/current", headers=_bearer(first)).status_code == 204
    assert client.get("/api/inbox", headers=_bearer(first)).status_code == 401
    assert client.delete("/api/tokens/current", headers=_bearer(first)).status_code == 401
    assert client.get("/api/inbox", headers=_bearer(second)).status_code == 200
    assert db.session.query(AuditEvent).filter_by(actor_id=user.id, action="token_revoked").count() == 1


def test_admin_revocation_and_disabling_refuse_old_token_and_cookie(app, client, make_user):
    """An administrator ends a user's access, or disables the account; either way old cookie and token fail."""
    admin = make_user("admin")
    user = make_user("county_official", unit="140502")
    _web_login(client, admin.username)
    for action in ("revoke", "disable"):
        victim = app.test_client()
        _web_login(victim, user.username)
        token = _token(app.test_client(), user.username).get_json()["token"]
        assert client.post(f"/admin/users/{user.id}/{action}").status_code == 302
        assert victim.get("/inbox").status_code == 302
        assert app.test_client().get("/api/inbox", headers=_bearer(token)).status_code == 401
    assert _token(app.test_client(), user.username).get_json()["message"] == "账户已停用"
    plain = app.test_client()
    _web_login(plain, make_user("county_official", unit="140502").username)
    assert plain.post(f"/admin/users/{admin.id}/revoke").status_code == 403


def test_lockout_ends_existing_sessions_and_tokens(app, client, make_user):
    """When an account is locked, tokens and session cookies issued before the lock are refused."""
    user = make_user("county_official", unit="140502")
    token = _token(client, user.username).get_json()["token"]
    browser = app.test_client()
    _web_login(browser, user.username)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _token(client, user.username, "wrong-password")
    assert client.get("/api/inbox", headers=_bearer(token)).status_code == 401
    assert browser.get("/inbox").status_code == 302


def test_cookie_authenticated_api_writes_need_a_csrf_token(tmp_path, _template_db):
    """The API takes bearer tokens as they are; a write carried by the session cookie alone needs X-CSRFToken."""
    app = make_app(tmp_path, _template_db, WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("csrf-user", PASSWORD, role="county_official", unit_code="140502")
        db.session.commit()
    web = app.test_client()  # no app context held across requests: each gets its own, as in production
    csrf = web.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    res = web.post("/login", data={"username": "csrf-user", "password": PASSWORD, "csrf_token": csrf})
    assert res.status_code == 302
    res = web.post("/api/tasks/no-such-task/claim")
    assert res.status_code == 400 and "CSRF" in res.get_json()["message"]
    csrf = web.get("/inbox").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert web.post("/api/tasks/no-such-task/claim", headers={"X-CSRFToken": csrf}).status_code == 404
    api = app.test_client()
    token = api.post("/api/tokens", json={"username": "csrf-user", "password": PASSWORD}).get_json()["token"]
    assert api.post("/api/tasks/no-such-task/claim", headers=_bearer(token)).status_code == 404
    with app.app_context():
        db.engine.dispose()
