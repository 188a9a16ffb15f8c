"""Administrator account management through HTTP (issue 12 "Accounts and organisation"; 等保 2.0 身份鉴别).

A bureau runs without a shell: the administrator creates officials with a one-time password that must be
changed at first login, disables, resets, unlocks and ends logins; every admin endpoint refuses others (403).
"""
import pytest

from models import User, db
from tests.factories import PASSWORD

COUNTY = "140502"
NEW_PASSWORD = "Zhang2026san"


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _token(client, username: str, password: str):
    return client.post("/api/tokens", json={"username": username, "password": password})


def _create_official(admin_api, username: str = "zhangsan") -> dict:
    res = admin_api.post("/api/users", json={"username": username, "display_name": "张三",
                                             "role": "county_official", "unit": COUNTY})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def test_admin_creates_a_county_official_who_must_change_the_one_time_password(app, api_as):
    """POST /api/users answers a one-time password; the first login leads only to the change-password form."""
    admin = api_as("admin")
    body = _create_official(admin)
    assert body["role"] == "county_official" and body["unit"] == COUNTY and body["must_change_password"]
    one_time = body["one_time_password"]
    assert len(one_time) == 12 and "password_hash" not in body
    listed = admin.get("/api/users").get_json()["items"]
    assert next(u for u in listed if u["username"] == "zhangsan")["must_change_password"] is True
    assert all("one_time_password" not in u for u in listed)

    browser = app.test_client()
    res = _login(browser, "zhangsan", one_time)
    assert res.status_code == 302 and res.headers["Location"].endswith("/account/password")
    assert browser.get("/inbox").headers["Location"].endswith("/account/password")  # nothing else opens
    # the API refuses a one-time password's token too, until it is changed
    token = _token(app.test_client(), "zhangsan", one_time).get_json()["token"]
    res = app.test_client().get("/api/inbox", headers=_bearer(token))
    assert res.status_code == 403 and "修改初始密码" in res.get_json()["message"]
    # a weak or mismatched new password is refused with messages, nothing saved
    res = browser.post("/account/password", data={"current": one_time, "new": "short", "confirm": "short"})
    assert res.status_code == 422 and "新密码至少8位" in res.get_data(as_text=True)
    res = browser.post("/account/password", data={"current": "wrong", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert res.status_code == 422 and "当前密码不正确" in res.get_data(as_text=True)
    res = browser.post("/account/password", data={"current": one_time, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert res.status_code == 302
    assert browser.get("/inbox").status_code == 200
    assert app.test_client().get("/api/inbox", headers=_bearer(token)).status_code == 401  # old token ended
    assert _login(app.test_client(), "zhangsan", one_time).status_code == 401
    assert _login(app.test_client(), "zhangsan", NEW_PASSWORD).headers["Location"].endswith("/")


def test_admin_pages_create_an_official_and_show_the_password_once(app, make_user):
    """The administrator's page creates the account; bad input re-renders the form with Chinese messages."""
    admin = make_user("admin")
    browser = app.test_client()
    _login(browser, admin.username)
    page = browser.get("/admin/users")
    assert page.status_code == 200 and "新建用户" in page.get_data(as_text=True)
    res = browser.post("/admin/users", data={"username": "lisi", "display_name": "李四", "role": "county_official"})
    assert res.status_code == 422 and "县级监管人员必须指定所属县" in res.get_data(as_text=True)
    assert db.session.query(User).filter_by(username="lisi").count() == 0
    res = browser.post("/admin/users", data={"username": "lisi", "display_name": "李四", "role": "county_official",
                                             "unit": COUNTY, "agency": "abc"})
    assert res.status_code == 422 and "请选择有效的机构" in res.get_data(as_text=True)
    res = browser.post("/admin/users", data={"username": "lisi", "display_name": "李四", "role": "county_official",
                                             "unit": COUNTY})
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and 'id="one-time-password"' in html
    password = html.split('id="one-time-password">')[1].split("<")[0]
    assert "one-time-password" not in browser.get("/admin/users").get_data(as_text=True)
    assert _login(app.test_client(), "lisi", password).headers["Location"].endswith("/account/password")
    units = browser.get("/admin/units").get_data(as_text=True)
    assert "140502" in units and "城区" in units and "县级" in units


def test_disabling_a_user_refuses_their_token_and_session(app, api_as):
    """POST /api/users/{id}/disable: the account's cookie and token stop working at once."""
    admin = api_as("admin")
    official = api_as("county_official", unit=COUNTY)
    browser = app.test_client()
    _login(browser, official.user.username)
    assert browser.get("/inbox").status_code == 200
    res = admin.post(f"/api/users/{official.user.id}/disable")
    assert res.status_code == 200 and res.get_json()["active"] is False
    assert official.get("/api/inbox").status_code == 401
    assert browser.get("/inbox").status_code == 302
    assert _token(app.test_client(), official.user.username, PASSWORD).get_json()["message"] == "账户已停用"
    assert admin.post(f"/api/users/{admin.user.id}/disable").status_code == 409  # never oneself
    assert admin.post("/api/users/999999/disable").status_code == 404


def test_reset_password_unlock_and_revoke_sessions(app, make_user):
    """Reset ends every login and forces a change; unlock lifts a lockout; one session can be ended."""
    admin, user = make_user("admin"), make_user("county_official", unit=COUNTY)
    adm = app.test_client()
    _login(adm, admin.username)
    victim = app.test_client()
    _login(victim, user.username)
    # revoke one session from the list of live logins
    page = adm.get("/admin/sessions").get_data(as_text=True)
    assert user.display_name in page
    from models.people import WebSession
    sid = db.session.query(WebSession.id).filter_by(user_id=user.id, revoked_at=None).scalar()
    assert adm.post("/admin/sessions/revoke", data={"kind": "session", "id": str(sid)}).status_code == 302
    assert victim.get("/inbox").status_code == 302
    assert adm.post("/admin/sessions/revoke", data={"kind": "session", "id": "x"}).status_code == 404
    # lock the account by failures; the administrator unlocks it
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(app.test_client(), user.username, "wrong-password")
    assert "已锁定" in _login(app.test_client(), user.username).get_data(as_text=True)
    assert "已锁定" in adm.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert adm.post(f"/admin/users/{user.id}/unlock").status_code == 302
    assert _login(victim, user.username).status_code == 302
    # reset: the old password and the session end; a one-time password must be changed
    html = adm.post(f"/admin/users/{user.id}/reset-password").get_data(as_text=True)
    password = html.split('id="one-time-password">')[1].split("<")[0]
    assert victim.get("/inbox").status_code == 302
    assert _login(app.test_client(), user.username).status_code == 401
    assert _login(app.test_client(), user.username, password).headers["Location"].endswith("/account/password")
    # role and unit change
    res = adm.post(f"/admin/users/{user.id}", data={"role": "city_official", "unit": "", "display_name": "王五"})
    assert res.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "city_official"


ADMIN_ENDPOINTS = [
    ("get", "/api/users", None), ("post", "/api/users", {"username": "x1", "display_name": "x", "role": "admin"}),
    ("post", "/api/users/{id}/disable", None),
]
WEB_ADMIN = [("get", "/admin/users"), ("post", "/admin/users"), ("get", "/admin/users/{id}"),
             ("post", "/admin/users/{id}"), ("post", "/admin/users/{id}/enable"),
             ("post", "/admin/users/{id}/reset-password"), ("post", "/admin/users/{id}/unlock"),
             ("post", "/admin/users/{id}/disable"), ("post", "/admin/users/{id}/revoke"),
             ("get", "/admin/units"), ("get", "/admin/sessions"), ("post", "/admin/sessions/revoke")]


@pytest.mark.parametrize("role", ["agency", "county_official", "city_official", "leader", "expert",
                                  "process_owner", "auditor"])
def test_non_admins_are_refused_on_every_admin_endpoint(app, api_as, role):
    """Only the system administrator manages accounts: 403 everywhere, nothing changed."""
    target = api_as("county_official", unit=COUNTY)
    who = api_as(role, unit=COUNTY if role == "county_official" else None)
    for method, url, body in ADMIN_ENDPOINTS:
        res = getattr(who, method)(url.format(id=target.user.id), json=body)
        assert res.status_code == 403, (url, res.status_code)
        assert "系统管理员" in res.get_json()["message"]
    browser = app.test_client()
    _login(browser, who.user.username)
    for method, url in WEB_ADMIN:
        res = getattr(browser, method)(url.format(id=target.user.id), data={"kind": "session", "id": "1"})
        assert res.status_code == 403, (url, res.status_code)
    db.session.expire_all()
    assert db.session.get(User, target.user.id).active and db.session.query(User).filter_by(username="x1").count() == 0
    assert target.get("/api/inbox").status_code == 200
