"""Agency self sign-up with e-mail verification through a real local SMTP sink (issue 12 "Accounts and
organisation"): an unverified account cannot log in; an official role can never be created this way; the
verified agency starts its registration ([JC] 第十条)."""
import re
from email import message_from_bytes
from email import policy as email_policy

from models import User, db
from tests.factories import credit_code
from tests.test_notifications import smtp_sink  # noqa: F401  (the real aiosmtpd sink fixture)

SIGNUP = {"username": "antai", "password": "Antai2026pw", "agency_name": "晋城市安泰安全技术服务有限公司",
          "credit_code": credit_code(1), "contact_name": "赵六", "email": "zhao@antai.example",
          "phone": "13900000001"}


def _link(sink) -> str:
    [msg] = sink.messages
    assert msg.rcpt_tos == ["zhao@antai.example"]
    body = message_from_bytes(msg.content, policy=email_policy.default).get_content()
    return re.search(r"/signup/verify\?token=[\w-]+", body).group(0)


def test_signup_by_api_needs_the_emailed_link_before_login(app, client, smtp_sink):  # noqa: F811
    """POST /api/signup: inactive until the e-mailed link is followed; then the agency logs in and applies."""
    res = client.post("/api/signup", json=SIGNUP)
    assert res.status_code == 201 and res.get_json()["verification_sent"] is True
    link = _link(smtp_sink)
    user = db.session.query(User).filter_by(username="antai").one()
    assert user.role == "agency" and not user.active and user.agency_id is None
    res = client.post("/api/tokens", json={"username": "antai", "password": SIGNUP["password"]})
    assert res.status_code == 401 and "验证链接" in res.get_json()["message"]
    res = client.post("/login", data={"username": "antai", "password": SIGNUP["password"]})
    assert res.status_code == 401 and "验证链接" in res.get_data(as_text=True)
    assert client.get("/signup/verify?token=forged").status_code == 404
    page = client.get(link)
    assert page.status_code == 200 and "已激活" in page.get_data(as_text=True)
    assert client.get(link).status_code == 409  # once
    res = client.post("/api/tokens", json={"username": "antai", "password": SIGNUP["password"]})
    assert res.status_code == 201
    token = res.get_json()["token"]
    res = client.post("/api/cases", json={"process": "registration"}, headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 201 and res.get_json()["open_tasks"][0]["name"] == "submit_application"


def test_an_official_role_can_never_be_created_through_signup(app, client, smtp_sink):  # noqa: F811
    """Sign-up takes no role: a body asking for one is refused and creates nothing; the account is an agency's."""
    for role in ("county_official", "admin"):
        res = client.post("/api/signup", json=dict(SIGNUP, role=role))
        assert res.status_code == 422 and "role" in res.get_json()["errors"]
    assert db.session.query(User).filter_by(username="antai").count() == 0
    res = client.post("/signup", data=dict(SIGNUP, confirm=SIGNUP["password"], role="admin"))
    assert res.status_code == 200 and "验证链接已发送" in res.get_data(as_text=True)
    assert db.session.query(User).filter_by(username="antai").one().role == "agency"
    client.get(_link(smtp_sink))
    res = client.post("/api/tokens", json={"username": "antai", "password": SIGNUP["password"]})
    assert res.status_code == 201
    assert client.get("/api/users", headers={"Authorization": f"Bearer {res.get_json()['token']}"}).status_code == 403


def test_bad_signups_are_refused_with_messages_and_nothing_saved(app, client, smtp_sink):  # noqa: F811
    """GB 32100 check digit, e-mail, duplicate name and password mismatch: the form comes back with messages."""
    res = client.post("/signup", data=dict(SIGNUP, credit_code=SIGNUP["credit_code"][:17] + "0",
                                           email="not-an-email", confirm="different"))
    html = res.get_data(as_text=True)
    assert res.status_code == 422
    for msg in ("校验位不正确", "请填写有效的电子邮箱", "两次输入的密码不一致"):
        assert msg in html
    assert 'value="晋城市安泰安全技术服务有限公司"' in html  # the form keeps what was typed
    assert db.session.query(User).count() == 0 and smtp_sink.messages == []
    assert client.post("/api/signup", json=SIGNUP).status_code == 201
    res = client.post("/api/signup", json=dict(SIGNUP, username="antai2"))
    assert res.status_code == 422 and "已有注册申请" in res.get_json()["errors"]["credit_code"][0]
    res = client.post("/api/signup", json=dict(SIGNUP, credit_code=credit_code(2)))
    assert res.status_code == 422 and res.get_json()["errors"]["username"] == ["用户名已存在"]
