"""Bad input is refused with a Chinese message, never a 500 (issue 10, schemathesis and form-fuzz findings).

Causes: validators read keys absent from partial data; integers beyond 64 bits reach SQLite/PostgreSQL;
NUL characters reach PostgreSQL text columns.
"""
import io

import pytest
from marshmallow import fields

from handlers import FORMS
from models import Case, User, db
from tests.factories import PASSWORD
from tests.test_registration import COUNTY, review_task, submit
from workflows.errors import InvalidInput
from workflows.forms import load_form
from workflows.runtime import CaseStep

HUGE = 99999999999999999999  # > 2**63 - 1
BIG = 2**31  # > PostgreSQL INTEGER (ids, versions): "integer out of range" there, fine on SQLite


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if any(type(c).__name__.endswith("IntConverter") for c in rule._converters.values()):
            yield rule


def test_every_int_path_refuses_ids_beyond_the_database_with_404(app, api_as, client):
    """Every `<int:…>` route answers 404 for an id an INTEGER column cannot hold, anonymous or logged in."""
    official = api_as("city_official")
    rules = list(_int_rules(app))
    assert len(rules) > 10
    for rule, number in ((r, n) for r in rules for n in (HUGE, BIG)):
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", str(number)).replace(f"<{arg}>", "registration")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who in (client, official.client):
                headers = official._h() if who is official.client else {}
                res = who.open(url, method=method, headers=headers)
                # werkzeug checks the method before the converter: another method's rule may answer 405
                assert res.status_code == 404 or (method != "GET" and res.status_code < 500
                                                  and res.status_code not in (200, 201)), (method, url, res.status_code)


def test_public_directory_entry_beyond_64_bits_is_a_chinese_404(client):
    res = client.get(f"/public/directory/{HUGE}")
    assert res.status_code == 404 and "页面或资源不存在" in res.get_data(as_text=True)
    res = client.get(f"/api/cases/{HUGE}", headers={"Accept": "application/json"})
    assert res.status_code == 404 and res.get_json()["error"] == "not_found"


@pytest.mark.parametrize("url", ["/public/directory?q=%00", "/public/blacklist?q=a%00b", "/api/cases?status=%00",
                                 "/api/inbox?process=%00"])
def test_nul_in_query_is_refused_with_422(api_as, url):
    """PostgreSQL text cannot hold NUL: refused before any query runs, on SQLite too."""
    official = api_as("city_official")
    res = official.get(url)
    assert res.status_code == 422
    text = res.get_json()["message"] if res.is_json else res.get_data(as_text=True)
    assert "空字符" in text


def test_nul_in_login_username_is_refused_not_looked_up(client, make_user):
    make_user("county_official", unit=COUNTY, name="张三")
    res = client.post("/login", data={"username": "张三\x00", "password": PASSWORD})
    assert res.status_code == 422 and "空字符" in res.get_data(as_text=True)
    res = client.post("/api/tokens", json={"username": "张三\x00", "password": PASSWORD})
    assert res.status_code == 422
    body = res.get_json()
    assert body["errors"]["username"] == ["不能包含空字符（NUL）"] and "空字符" in body["message"]


def test_nul_in_json_body_and_file_name_is_refused_and_nothing_is_saved(api_as):
    agency = api_as("agency")
    res = agency.post("/api/cases", json={"process": "registration", "title": "a\x00b"})
    assert res.status_code == 422 and res.get_json()["errors"]["title"] == ["不能包含空字符（NUL）"]
    assert db.session.query(Case).count() == 0
    case_id = agency.post("/api/cases", json={"process": "registration"}).get_json()["id"]
    res = agency.client.post(f"/api/cases/{case_id}/documents", headers=agency._h(),
                             data={"kind": "business_license", "file": (io.BytesIO(b"%PDF-1.4\n"), "a\x00.pdf")},
                             content_type="multipart/form-data")
    assert res.status_code == 422 and res.get_json()["errors"]["file"] == ["不能包含空字符（NUL）"]
    res = agency.post("/api/cases", json={"process": "registration", "data": {"nested": ["x", {"k\x00": 1}]}})
    assert res.status_code == 422


def test_integers_beyond_the_database_in_bodies_are_field_errors(api_as):
    """Numbers beyond 64 bits anywhere, and Integer fields beyond an INTEGER column, never reach a query."""
    agency, official = api_as("agency"), api_as("city_official")
    case_id = submit(agency)
    task = review_task(api_as("county_official", unit=COUNTY), case_id)
    for body in ({"user_id": HUGE}, {"user_id": str(HUGE)}, {"user_id": -HUGE}, {"user_id": 1e30}):
        res = official.post(f"/api/tasks/{task['id']}/reassign", json=body)
        assert res.status_code == 422, (body, res.get_json())
        assert res.get_json()["errors"]["user_id"][0].startswith("数值超出范围")
    for body in ({"user_id": BIG}, {"user_id": str(BIG)}):
        res = official.post(f"/api/tasks/{task['id']}/reassign", json=body)
        assert res.status_code == 422 and res.get_json()["errors"]["user_id"][0].startswith("数值超出范围"), body
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}, "version": HUGE})
    assert res.status_code == 422 and "version" in res.get_json()["errors"]
    assert db.session.get(Case, case_id).status == "running"


def test_junk_ids_in_public_and_supervision_forms_are_chinese_errors(client, api_as):
    """An objection naming entry 'abc' or 2**31, a 转办 to user 2**31: refused with a message, not a 500."""
    for raw in ("abc", str(BIG), "-1"):
        res = client.post("/public/grading/objections", data={"entry_id": raw, "text": "异议"})
        assert res.status_code in (404, 409, 422), raw
    agency, official = api_as("agency"), api_as("city_official")
    task = review_task(api_as("county_official", unit=COUNTY), submit(agency))
    res = official.client.post(f"/supervision/tasks/{task['id']}/reassign", headers=official._h(),
                               data={"user_id": str(BIG)})
    assert res.status_code == 422 and "转办对象不存在" in res.get_data(as_text=True)


def test_review_with_empty_data_is_a_field_error_not_a_keyerror(api_as):
    """validate_review ran on partial data and read data['decision'] → KeyError (500) on `{}`."""
    agency, official = api_as("agency"), api_as("county_official", unit=COUNTY)
    task = review_task(official, submit(agency))
    for data in ({}, {"opinion": None}, {"decision": None, "opinion": 5}):
        res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": data})
        assert res.status_code == 422, (data, res.get_json())
        assert "decision" in res.get_json()["errors"]


def _hostile_payloads(schema) -> list[dict]:
    names = list(schema.fields)
    payloads = [{}, dict.fromkeys(names)]
    for junk in ("x", "", 7, -1, 2.5, True, [], {}, ["x"], [None], {"a": 1}):
        payloads.append(dict.fromkeys(names, junk))
    for name in names:  # one field right, the rest missing: validators see exactly that one key
        field = schema.fields[name]
        good = 1 if isinstance(field, fields.Integer | fields.Float) else [1, 2] if isinstance(field, fields.List) \
            else True if isinstance(field, fields.Boolean) else "return"
        payloads.append({name: good})
    return payloads


def test_every_form_validator_copes_with_partial_data(app, api_as):
    """Each registered form's cross-record check runs on whatever marshmallow let through: only 422, never a crash."""
    agency = api_as("agency")
    case_id = submit(agency)
    case = db.session.get(Case, case_id)
    user = db.session.get(User, agency.user.id)
    checked = 0
    for key, spec in sorted(FORMS.items()):
        ctx = CaseStep(case, user).ctx
        schema = spec.schema(ctx.settings)
        for payload in _hostile_payloads(schema):
            try:
                load_form(key, payload, ctx)
            except InvalidInput as err:
                assert err.errors and all(isinstance(m, list) for m in err.errors.values()), (key, payload)
            checked += 1
        db.session.rollback()
    assert checked > 100
