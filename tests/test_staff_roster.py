"""Staff roster (人员库) through the JSON API with time moved.

Sources: [JC] 第二条 (从业人员: ≥ 3 months of social insurance here); [JC] 第十四条(八), [WJ] 第十九条(七),
[LY23] 第十四条10 (not on two agencies' rosters); [WJ] 第十六条 (业务考核合格方可开展服务); GB 11643-1999.
"""
import io

import pytest
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

from models import Case, OpenTask, StaffMember, db
from rules.id_number import check_char, id_number_error, make_id_number
from tests.sanctions_factories import api_maker, complete, registered_agency, task_of

COUNTY = "140502"


def person_id(n: int) -> str:
    """A valid 公民身份号码 for test person n."""
    return make_id_number(f"14050219900101{n:03d}")


def person(n: int = 1, **over) -> dict:
    data = {"name": f"张{n}", "id_number": person_id(n), "employed_on": "2026-01-05", "insured_since": "2026-08-01",
            "certificates": [{"kind": "注册安全工程师", "title": "中级", "number": f"ZA{n:05d}",
                              "expires_on": "2028-06-30"}]}
    data.update(over)
    return data


def test_id_number_check_character_gb11643():
    """GB 11643-1999 8.2: the MOD 11-2 check character; the standard's own example ends in X."""
    assert id_number_error("11010519491231002X") is None
    assert check_char("11010519491231002") == "X"
    assert id_number_error("110105194912310021") == "身份证号码校验码不正确（GB 11643-1999）"
    assert id_number_error("11010519491331002X").startswith("身份证号码第7–14位出生日期")
    assert id_number_error("1101051949123100") == "身份证号码应为18位"


def test_bad_id_number_is_refused_through_the_api(api_as):
    """A wrong check digit is a 422 naming the field; nothing is saved."""
    agency, row = registered_agency(api_as)
    bad = person_id(1)[:17] + ("0" if person_id(1)[17] != "0" else "1")
    res = agency.post(f"/api/agencies/{row.id}/staff", json=person(1, id_number=bad))
    assert res.status_code == 422 and "校验码" in res.get_json()["errors"]["id_number"][0]
    assert db.session.query(StaffMember).count() == 0


def test_three_months_of_social_insurance_make_a_practitioner(api_as):
    """[JC] 第二条: 从业人员 only after three full months of social insurance paid here."""
    with freeze_time("2026-10-31 23:00:00+08:00"):
        agency, row = registered_agency(api_as)
        res = agency.post(f"/api/agencies/{row.id}/staff", json=person(1, insured_since="2026-08-01"))
        assert res.status_code == 201, res.get_json()
        body = res.get_json()
        assert body["months_insured"] == 2 and body["counts_as_employee"] is False
        assert any("不满3个月" in f for f in body["flags"])
    with freeze_time("2026-11-01 09:00:00+08:00"):
        [item] = agency.get(f"/api/agencies/{row.id}/staff").get_json()["items"]
        assert item["months_insured"] == 3 and item["counts_as_employee"] is True and item["may_serve"] is True
        assert agency.get(f"/api/agencies/{row.id}/staff").get_json()["employee_count"] == 1


def test_person_on_two_rosters_is_flagged_and_the_county_reviews(api_as):
    """[JC] 第十四条(八): a person added by a second agency is flagged on both rosters; a county task opens."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        first, first_row = registered_agency(api_as, n=1)
        second, second_row = registered_agency(api_as, n=2)
        official = api_as("county_official", unit=COUNTY)
        assert first.post(f"/api/agencies/{first_row.id}/staff", json=person(7)).status_code == 201
        res = second.post(f"/api/agencies/{second_row.id}/staff", json=person(7, name="张7"))
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["may_serve"] is False and res.get_json()["other_agencies"] == [first_row.name]
        [item] = first.get(f"/api/agencies/{first_row.id}/staff").get_json()["items"]
        assert any(second_row.name in f for f in item["flags"])
        task = task_of(official, "review_conflict")
        assert task["process"] == "staff_conflict" and task["unit"] == COUNTY
        detail = official.get(f"/api/tasks/{task['id']}").get_json()
        assert first_row.name in str(detail) and second_row.name in str(detail)
        from tests.factories import PASSWORD
        web = official.client
        web.post("/login", data={"username": official.user.username, "password": PASSWORD})
        page = web.get(f"/tasks/{task['id']}").get_data(as_text=True)
        assert "该人员所在机构人员库" in page and first_row.name in page and "140502********" in page
        web.post("/logout")
        complete(official, "review_conflict", {"conclusion": "confirmed", "opinion": "两家机构均为其缴纳社保"})
        case = db.session.get(Case, task["case_id"])
        assert case.status == "completed" and case.outcome == "confirmed"
        # the first agency records the leaving: the flag goes from the second roster
        member = db.session.query(StaffMember).filter_by(agency_id=first_row.id).one()
        assert first.post(f"/api/agencies/{first_row.id}/staff/{member.id}/leave",
                          json={"left_on": "2026-11-23"}).status_code == 200
        [item] = second.get(f"/api/agencies/{second_row.id}/staff").get_json()["items"]
        assert item["other_agencies"] == []
        actions = [e["action"] for e in official.get(f"/api/cases/{case.id}/history").get_json()["events"]]
        assert "staff_conflict_concluded" in actions
        web.post("/login", data={"username": official.user.username, "password": PASSWORD})
        assert "确认多机构从业" in web.get(f"/cases/{case.id}").get_data(as_text=True)


def test_other_agency_and_other_county_cannot_touch_a_roster(api_as):
    """Only the agency edits its roster; an official of another county cannot even read it."""
    _agency, row = registered_agency(api_as, n=1)
    other, _ = registered_agency(api_as, n=2)
    assert other.post(f"/api/agencies/{row.id}/staff", json=person(1)).status_code == 403
    assert api_as("county_official", unit="140521").get(f"/api/agencies/{row.id}/staff").status_code == 403
    official = api_as("county_official", unit=COUNTY)
    assert official.get(f"/api/agencies/{row.id}/staff").status_code == 200
    assert official.post(f"/api/agencies/{row.id}/staff", json=person(1)).status_code == 403


def test_certificate_expiry_is_flagged_60_days_ahead(api_as):
    """Setting certificate_warning_days (60): flagged on the roster and on the officials' list, not earlier."""
    data = person(3, certificates=[{"kind": "安全评价师", "number": "PJ-1", "expires_on": "2027-01-31"}])
    with freeze_time("2026-12-01 22:00:00+08:00"):  # 61 days before expiry
        agency, row = registered_agency(api_as)
        official = api_as("city_official")
        assert agency.post(f"/api/agencies/{row.id}/staff", json=data).status_code == 201
        [item] = agency.get(f"/api/agencies/{row.id}/staff").get_json()["items"]
        assert item["certificates"][0]["state"] == "valid"
        assert official.get("/api/staff/certificates/expiring").get_json()["items"] == []
    with freeze_time("2026-12-02 08:00:00+08:00"):  # 60 days before
        [item] = agency.get(f"/api/agencies/{row.id}/staff").get_json()["items"]
        assert item["certificates"][0]["state"] == "expiring" and any("将于2027-01-31到期" in f for f in item["flags"])
        [cert] = official.get("/api/staff/certificates/expiring").get_json()["items"]
        assert cert["number"] == "PJ-1" and cert["state"] == "expiring" and cert["agency"] == row.name
    with freeze_time("2027-02-01 09:00:00+08:00"):
        official = api_as("city_official")
        [cert] = official.get("/api/staff/certificates/expiring").get_json()["items"]
        assert cert["state"] == "expired"


def test_wujin_staff_may_not_serve_before_passing_the_exam(tmp_path, _template_db):
    """[WJ] 第十六条: until an official records 考核合格, the roster shows the person may not serve."""
    from tests.conftest import make_app
    app = make_app(tmp_path, _template_db, ANFU_CITY="wujin")
    with app.app_context():
        _, api_as = api_maker(app)
        with freeze_time("2026-11-23 09:00:00+08:00"):
            agency, row = registered_agency(api_as, county="320412")
            res = agency.post(f"/api/agencies/{row.id}/staff", json=person(1, insured_since="2026-01-01"))
            body = res.get_json()
            assert body["counts_as_employee"] is True and body["may_serve"] is False
            assert any("[WJ] 第十六条" in f for f in body["flags"])
            assert agency.post(f"/api/agencies/{row.id}/staff/{body['id']}/exam",
                               json={"passed_on": "2026-11-20"}).status_code == 403
            official = api_as("city_official")
            res = official.post(f"/api/agencies/{row.id}/staff/{body['id']}/exam", json={"passed_on": "2026-11-20"})
            assert res.status_code == 200, res.get_json()
            assert res.get_json()["may_serve"] is True and res.get_json()["exam_passed_on"] == "2026-11-20"
        db.engine.dispose()


def test_jincheng_has_no_exam_gate(api_as):
    """The gate is 武进's ([WJ] 第十六条); 晋城 has none, so a practitioner may serve without it."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency, row = registered_agency(api_as)
        body = agency.post(f"/api/agencies/{row.id}/staff", json=person(1, insured_since="2026-01-01")).get_json()
        assert body["may_serve"] is True


def _upload(api, agency_id, content):
    return api.client.post(f"/api/agencies/{agency_id}/staff/import", headers=api._h(),
                           data={"file": (io.BytesIO(content), "人员库.xlsx")}, content_type="multipart/form-data")


def test_excel_round_trip_and_a_bad_file_saves_nothing(api_as):
    """Export → import back unchanged; a sheet with bad rows is refused row by row and nothing is saved."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency, row = registered_agency(api_as)
        two_certs = person(1, certificates=[
            {"kind": "注册安全工程师", "title": "中级", "number": "ZA1", "expires_on": "2028-06-30"},
            {"kind": "职称", "title": "高级工程师", "number": "GC-9", "expires_on": None}])
        assert agency.post(f"/api/agencies/{row.id}/staff", json=two_certs).status_code == 201
        assert agency.post(f"/api/agencies/{row.id}/staff", json=person(2, certificates=[])).status_code == 201
        before = agency.get(f"/api/agencies/{row.id}/staff").get_json()["items"]
        sheet = agency.get(f"/api/agencies/{row.id}/staff.xlsx")
        assert sheet.status_code == 200
        ws = load_workbook(io.BytesIO(sheet.data)).active
        assert [c.value for c in ws[1]][:3] == ["姓名", "身份证号码", "入职日期"] and ws.max_row == 4
        res = _upload(agency, row.id, sheet.data)
        assert res.status_code == 200 and res.get_json() == {"added": 0, "updated": 2}
        after = agency.get(f"/api/agencies/{row.id}/staff").get_json()["items"]
        assert [(p["id_number"], p["certificates"]) for p in after] == [(p["id_number"], p["certificates"])
                                                                       for p in before]
        # a new person plus two bad rows: nothing is saved, each bad row is named
        wb = load_workbook(io.BytesIO(sheet.data))
        ws = wb.active
        ws.append(["李新", person_id(5), "2026-03-01", "2026-03-01", "", "", "", ""])
        ws.append(["王错", person_id(6)[:17] + "Y", "2026-03-01", "", "", "", "", ""])
        ws.append(["赵错", person_id(8), "三月一日", "", "安全评价师", "", "", ""])
        out = io.BytesIO()
        wb.save(out)
        res = _upload(agency, row.id, out.getvalue())
        assert res.status_code == 422, res.get_json()
        errors = res.get_json()["errors"]["file"]
        assert any(e.startswith("第6行：身份证号码") for e in errors)
        assert any(e.startswith("第7行：入职日期") for e in errors)
        assert any(e.startswith("第7行：资格证书") for e in errors)  # certificate without a number
        assert db.session.query(StaffMember).count() == 2
        assert _upload(agency, row.id, b"not a workbook").status_code == 422


def test_wrong_header_is_refused(api_as):
    """A sheet not in the platform's layout is refused with the expected header."""
    agency, row = registered_agency(api_as)
    wb = Workbook()
    wb.active.append(["姓名", "证件"])
    out = io.BytesIO()
    wb.save(out)
    res = _upload(agency, row.id, out.getvalue())
    assert res.status_code == 422 and "表头应为" in res.get_json()["errors"]["file"][0]


@pytest.mark.parametrize("policy", ["refuse"])
def test_refuse_setting_keeps_the_person_off_a_second_roster(api_as, monkeypatch, policy):
    """duplicate_roster = refuse: the second agency gets a 422 and no review task opens."""
    from rules import supervision_policy
    from rules.city_policy import Settings
    real = supervision_policy.load_supervision("jincheng")
    staff = {k: {"value": real.staff[k], "basis": "test"} for k in real.staff}
    staff["duplicate_roster"]["value"] = policy
    monkeypatch.setattr("workflows.staff.city_supervision", lambda settings: supervision_policy.Supervision(
        staff=Settings(staff), contracts=real.contracts))
    first, first_row = registered_agency(api_as, n=1)
    second, second_row = registered_agency(api_as, n=2)
    assert first.post(f"/api/agencies/{first_row.id}/staff", json=person(7)).status_code == 201
    res = second.post(f"/api/agencies/{second_row.id}/staff", json=person(7))
    assert res.status_code == 422 and first_row.name in res.get_json()["errors"]["id_number"][0]
    assert db.session.query(OpenTask).filter_by(process_key="staff_conflict").count() == 0


def test_roster_pages_add_refuse_and_show(api_as, client):
    """The agency's 人员库 page: a bad ID number re-renders the form (422) and saves nothing; a good one is listed."""
    from tests.factories import PASSWORD
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency, row = registered_agency(api_as)
        assert client.post("/login", data={"username": agency.user.username, "password": PASSWORD}).status_code == 302
        page = client.get("/staff", follow_redirects=True).get_data(as_text=True)
        assert "人员库：" + row.name in page and "人员库暂无人员" in page
        form = {"name": "李四", "id_number": "110105194912310021", "employed_on": "2026-01-05",
                "insured_since": "2026-01-05", "cert_kind": ["安全评价师", "", ""], "cert_title": ["", "", ""],
                "cert_number": ["PJ-7", "", ""], "cert_expires_on": ["2027-01-10", "", ""]}
        res = client.post(f"/agencies/{row.id}/staff", data=form)
        assert res.status_code == 422 and "校验码不正确" in res.get_data(as_text=True)
        assert db.session.query(StaffMember).count() == 0
        res = client.post(f"/agencies/{row.id}/staff", data=dict(form, id_number="11010519491231002X"))
        assert res.status_code == 302
        page = client.get(f"/agencies/{row.id}/staff").get_data(as_text=True)
        assert "李四" in page and "即将到期" in page
        official = api_as("county_official", unit=COUNTY)
        client.post("/logout")
        client.post("/login", data={"username": official.user.username, "password": PASSWORD})
        page = client.get("/staff").get_data(as_text=True)
        assert "PJ-7" in page and row.name in page
        assert client.get("/contracts").status_code == 200
        assert client.get(f"/agencies/{row.id}/contracts").status_code == 200


def test_every_roster_change_is_audited_with_the_id_number_masked(api_as):
    """Add, edit, leave, exam: each leaves an audit event naming the person, never the whole ID number."""
    from models import AuditEvent
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency, row = registered_agency(api_as)
        body = agency.post(f"/api/agencies/{row.id}/staff", json=person(4)).get_json()
        res = agency.client.put(f"/api/agencies/{row.id}/staff/{body['id']}", headers=agency._h(),
                                json=person(4, name="张四改", certificates=[]))
        assert res.status_code == 200 and res.get_json()["name"] == "张四改" and res.get_json()["certificates"] == []
        assert api_as("county_official", unit=COUNTY).post(f"/api/agencies/{row.id}/staff/{body['id']}/exam",
                                                           json={"passed_on": "2026-11-20"}).status_code == 200
        assert agency.post(f"/api/agencies/{row.id}/staff/{body['id']}/leave",
                           json={"left_on": "2026-11-30"}).status_code == 422  # in the future
        assert agency.post(f"/api/agencies/{row.id}/staff/{body['id']}/leave",
                           json={"left_on": "2026-11-22"}).status_code == 200
        events = db.session.query(AuditEvent).filter(AuditEvent.action.like("staff_%")).order_by(AuditEvent.seq).all()
        assert [e.action for e in events] == ["staff_added", "staff_updated", "staff_exam_set", "staff_left"]
        assert all(person_id(4) not in e.detail and "140502********" in e.detail for e in events)
        assert '"changed": ["certificates", "name"]' in events[1].detail
