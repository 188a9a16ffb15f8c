"""等保 2.0 安全通信与入侵防范 (issue 10): security headers, safe redirects, 405, rate limits, secret-key file mode."""
import stat

from freezegun import freeze_time

from app import _secret_key
from models import db
from tests.conftest import make_app
from tests.factories import PASSWORD


def test_security_headers_on_pages_api_and_public_pages(app, client, make_user):
    """CSP (scripts from this site only), no framing, nosniff, a referrer policy on every kind of answer."""
    user = make_user("county_official", unit="140502")
    answers = [client.get("/login"), client.get("/public/directory"), client.get("/api/units"),
               client.post("/api/tokens", json={"username": user.username, "password": PASSWORD})]
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    answers.append(client.get("/inbox"))
    for res in answers:
        assert res.status_code in (200, 201), res.request.path
        csp = res.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert res.headers["X-Frame-Options"] == "DENY"
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        assert res.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in res.headers  # plain HTTP here
    assert answers[3].headers["Cache-Control"] == "no-store"


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(tmp_path, _template_db, make_user):
    """BEHIND_TLS (ANFU_TLS=1): the session cookie is Secure and every answer carries HSTS."""
    app = make_app(tmp_path, _template_db, BEHIND_TLS=True)
    with app.app_context():
        from workflows.people import create_user
        create_user("tls-user", PASSWORD, role="county_official", unit_code="140502")
        db.session.commit()
        res = app.test_client().post("/login", data={"username": "tls-user", "password": PASSWORD},
                                     base_url="https://localhost")
        assert res.status_code == 302
        assert "Secure" in res.headers["Set-Cookie"] and "HttpOnly" in res.headers["Set-Cookie"]
        assert res.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        db.engine.dispose()


def test_inline_scripts_are_gone_from_templates():
    """CSP has no 'unsafe-inline' for scripts: templates carry no inline script, on* handler or javascript: URL."""
    import re
    from pathlib import Path
    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", text) and "javascript:" not in text, path


def test_login_refuses_open_redirects(app, client, make_user):
    """`next` must be a path on this site: tab/backslash tricks and other hosts go to the home page."""
    user = make_user("county_official", unit="140502")
    for bad in ("/%09/evil.example/", "//evil.example/", "/\\evil.example/", "https://evil.example/",
                "/%0d%0a/evil.example", "javascript:alert(1)"):
        client.post("/logout")
        res = client.post(f"/login?next={bad}", data={"username": user.username, "password": PASSWORD})
        assert res.status_code == 302
        location = res.headers["Location"]
        assert "evil" not in location and "javascript" not in location, (bad, location)
    client.post("/logout")
    res = client.post("/login?next=/cases%3Fstatus%3Dopen", data={"username": user.username, "password": PASSWORD})
    assert res.headers["Location"] == "/cases?status=open"


def test_wrong_method_is_405_json_for_api_and_chinese_page_otherwise(client):
    """A wrong method is 405 with Allow, not 400: JSON for /api, a Chinese page elsewhere."""
    res = client.put("/api/tokens", json={})
    assert res.status_code == 405 and "POST" in res.headers["Allow"]
    assert res.get_json() == {"error": "method_not_allowed", "message": "不支持该请求方法"}
    res = client.delete("/login")
    assert res.status_code == 405 and "不支持该请求方法" in res.get_data(as_text=True)
    assert res.mimetype == "text/html"


def test_login_is_rate_limited_per_ip_and_per_account(tmp_path, _template_db):
    """Floods of login attempts get 429 with a Chinese message and Retry-After; the window slides."""
    app = make_app(tmp_path, _template_db, RATE_LIMIT_LOGIN=(4, 60), RATE_LIMIT_LOGIN_ACCOUNT=(2, 60),
                   LOGIN_MAX_FAILURES=100)
    with app.app_context(), freeze_time("2026-12-02 10:00:00") as frozen:
        client = app.test_client()
        for _ in range(2):
            assert client.post("/api/tokens", json={"username": "a", "password": "x"}).status_code == 401
        res = client.post("/api/tokens", json={"username": "a", "password": "x"})
        assert res.status_code == 429 and "请求过于频繁" in res.get_json()["message"]
        assert int(res.headers["Retry-After"]) <= 60
        assert client.post("/login", data={"username": "b", "password": "x"}).status_code == 401
        res = client.post("/login", data={"username": "c", "password": "x"})  # 5th from this IP
        assert res.status_code == 429 and "请求过于频繁" in res.get_data(as_text=True)
        frozen.tick(61)
        assert client.post("/api/tokens", json={"username": "a", "password": "x"}).status_code == 401
        db.engine.dispose()


def test_public_objection_form_is_rate_limited_per_ip(tmp_path, _template_db):
    """The public objection form (no login) answers 429 after RATE_LIMIT_PUBLIC posts from one IP."""
    app = make_app(tmp_path, _template_db, RATE_LIMIT_PUBLIC=(2, 600))
    with app.app_context():
        client = app.test_client()
        for _ in range(2):
            assert client.post("/public/grading/objections", data={"entry_id": "0"}).status_code != 429
        res = client.post("/public/grading/objections", data={"entry_id": "0"})
        assert res.status_code == 429 and "请求过于频繁" in res.get_data(as_text=True)
        other = app.test_client()
        res = other.post("/public/grading/objections", data={"entry_id": "0"},
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert res.status_code != 429
        db.engine.dispose()


def test_secret_key_file_is_private(tmp_path, monkeypatch):
    """The generated secret-key file is 0600, and a 0644 one left by an older version is tightened."""
    monkeypatch.delenv("ANFU_SECRET_KEY", raising=False)
    key = _secret_key(tmp_path)
    path = tmp_path / "secret_key"
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    assert _secret_key(tmp_path) == key and stat.S_IMODE(path.stat().st_mode) == 0o600
