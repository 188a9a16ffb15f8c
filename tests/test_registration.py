"""Initial registration (建档) end to end through the JSON API, the real engine and database.

Sources: [JC] 第四、五、十条 and 附件1; [WJ] 第十三、十四条; domain.md §8 (退回补正 10 working days).
"""
import io
from datetime import UTC, datetime

from freezegun import freeze_time

from models import Agency, Case, OpenTask, db
from tests.factories import PNG, application, credit_code, with_documents
from workflows.timers import tick

COUNTY, OTHER_COUNTY = "140502", "140521"


def submit(agency_api, county=COUNTY, n=1, **over):
    """Agency starts a registration case, uploads the materials and submits the 情况表."""
    res = agency_api.post("/api/cases", json={"process": "registration"})
    assert res.status_code == 201, res.get_json()
    case = res.get_json()
    [task] = case["open_tasks"]
    assert task["name"] == "submit_application" and task["role"] == "agency"
    from flask import current_app
    kinds = [m["kind"] for m in current_app.config["CITY_POLICY"].registration_materials
             if m.get("required") is True or m.get("when")]
    data = with_documents(agency_api, case["id"], application(county, n, **over), kinds)
    res = agency_api.post(f"/api/tasks/{task['id']}/complete", json={"data": data})
    assert res.status_code == 200, res.get_json()
    return case["id"]


def review_task(official_api, case_id):
    items = official_api.get("/api/inbox?process=registration").get_json()["items"]
    [task] = [t for t in items if t["case_id"] == case_id]
    return task


def test_approval_registers_agency_and_lists_it_publicly(api_as, client):
    """[JC] 第十条: the county reviews the materials; approval is 建档 and the agency enters the directory."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    task = review_task(official, case_id)
    assert task["name"] == "county_review" and task["unit"] == COUNTY and task["assignee"] is None
    assert official.post(f"/api/tasks/{task['id']}/claim").get_json()["assignee"] == official.user.username
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 200, res.get_json()
    case = official.get(f"/api/cases/{case_id}").get_json()
    assert case["status"] == "completed" and case["outcome"] == "approved" and case["open_tasks"] == []
    agency_row = db.session.query(Agency).one()
    assert agency_row.credit_code == credit_code(1) and agency_row.registered_on is not None
    page = client.get("/public/directory")
    assert page.status_code == 200 and "晋城市安泰安全技术服务有限公司1" in page.get_data(as_text=True)
    # the applicant's account is now bound to the agency it registered
    me = agency.get(f"/api/cases/{case_id}").get_json()
    assert me["agency_id"] == agency_row.id
    actions = [e["action"] for e in agency.get(f"/api/cases/{case_id}/history").get_json()["events"]]
    for expected in ("case_started", "document_uploaded", "task_completed", "task_claimed", "agency_registered"):
        assert expected in actions


def test_return_for_correction_then_resubmission_is_approved(api_as):
    """退回补正: the agency gets the task back prefilled, with a 10-working-day deadline, and resubmits."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return"}})
    assert res.status_code == 422 and "opinion" in res.get_json()["errors"]
    res = official.post(f"/api/tasks/{task['id']}/complete",
                        json={"data": {"decision": "return", "opinion": "营业执照复印件不清晰"}})
    assert res.status_code == 200
    [back] = agency.get("/api/inbox").get_json()["items"]
    assert back["name"] == "correct_application" and back["due_at"] is not None
    detail = agency.get(f"/api/tasks/{back['id']}").get_json()
    assert detail["prefill"]["name"] == "晋城市安泰安全技术服务有限公司1"
    assert detail["form_schema"]["properties"]["credit_code"]["title"] == "统一社会信用代码"
    data = dict(detail["prefill"], name="晋城市安泰安全技术服务有限公司（补正）")
    res = agency.post(f"/api/tasks/{back['id']}/complete", json={"data": data})
    assert res.status_code == 200, res.get_json()
    task = review_task(official, case_id)
    assert official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 200
    assert db.session.query(Agency).one().name == "晋城市安泰安全技术服务有限公司（补正）"


def test_rejection_closes_case_without_registering(api_as):
    """不予登记 needs a reason; the case closes and no directory entry is made."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "reject", "opinion": "不具备法人资格"}})
    assert res.status_code == 200
    case = agency.get(f"/api/cases/{case_id}").get_json()
    assert case["status"] == "completed" and case["outcome"] == "rejected"
    assert db.session.query(Agency).count() == 0


def test_correction_not_made_within_10_working_days_withdraws_case(api_as, app):
    """逾期未补正视为撤回: the boundary timer at the end of the 10th working day (start day excluded) fires."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    with freeze_time("2026-09-25 10:00:00+08:00"):
        case_id = submit(agency)
        task = review_task(official, case_id)
        official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "缺少社保证明"}})
    [back] = agency.get("/api/inbox").get_json()["items"]
    # 2026-09-25 + 10 working days skips 国庆 and counts the 10-10 make-up Saturday → ends 2026-10-15 24:00
    assert back["due_at"].startswith("2026-10-15T16:00:00")
    assert tick(datetime(2026, 10, 15, 15, 59, tzinfo=UTC)) == 0
    assert db.session.get(Case, case_id).status == "running"
    assert tick(datetime(2026, 10, 15, 16, 1, tzinfo=UTC)) == 1
    case = db.session.get(Case, case_id)
    assert case.status == "completed" and case.outcome == "withdrawn"
    assert db.session.query(OpenTask).filter_by(case_id=case_id).count() == 0
    actions = [e["action"] for e in agency.get(f"/api/cases/{case_id}/history").get_json()["events"]]
    assert "timer_fired" in actions


def test_tick_command_fires_due_timers_with_now_option(api_as, app):
    """`flask --app app tick --now ISO` fires what is due at that time and prints the count."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    with freeze_time("2026-11-02 09:00:00+08:00"):
        case_id = submit(agency)
        task = review_task(official, case_id)
        official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "补正"}})
    runner = app.test_cli_runner()
    assert "fired: 0" in runner.invoke(args=["tick", "--now", "2026-11-16T12:00:00+08:00"]).output
    assert "fired: 1" in runner.invoke(args=["tick", "--now", "2026-11-17T00:00:01+08:00"]).output
    assert db.session.get(Case, case_id).outcome == "withdrawn"


def test_duplicate_credit_code_refused_while_registered_or_in_progress(api_as):
    """A credit code already registered, or under an active case, is refused with a clear message."""
    first, second = api_as("agency"), api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    submit(first)
    case = second.post("/api/cases", json={"process": "registration"}).get_json()
    data = with_documents(second, case["id"], application(COUNTY, 1))
    res = second.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
    assert res.status_code == 422
    assert res.get_json()["errors"]["credit_code"] == ["该统一社会信用代码已有正在办理的登记申请"]
    task = review_task(official, 1)
    official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}})
    res = second.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
    assert res.get_json()["errors"]["credit_code"] == ["该统一社会信用代码已登记建档，不能重复登记"]


def test_invalid_input_gets_field_errors_and_saves_nothing(api_as):
    """Bad input → 422 with Chinese field messages; the case version and inbox are unchanged."""
    agency = api_as("agency")
    case = agency.post("/api/cases", json={"process": "registration"}).get_json()
    task_id = case["open_tasks"][0]["id"]
    bad = application(COUNTY, credit_code="91140500MA0000001X", email="not-an-email", staff_count="很多",
                      service_categories=["算命"])
    res = agency.post(f"/api/tasks/{task_id}/complete", json={"data": bad})
    assert res.status_code == 422
    errors = res.get_json()["errors"]
    assert errors["email"] == ["电子信箱格式不正确"] and errors["staff_count"] == ["应为整数"]
    assert "service_categories" in errors
    res = agency.post(f"/api/tasks/{task_id}/complete", json={"data": application(COUNTY, credit_code="91140500MA0000001X")})
    errors = res.get_json()["errors"]
    assert "校验位" in errors["credit_code"][0]
    assert errors["business_license"][0].startswith("请上传")
    after = agency.get(f"/api/cases/{case['id']}").get_json()
    assert after["version"] == case["version"] and [t["id"] for t in after["open_tasks"]] == [task_id]


def test_qualification_certificate_only_required_when_qualification_required(api_as):
    """[JC] 第十条(四): the 资质证书 is required only where the law requires a qualification."""
    agency = api_as("agency")
    case = agency.post("/api/cases", json={"process": "registration"}).get_json()
    kinds = [k for k in ("business_license", "premises_proof", "staff_roster", "staff_certificates",
                         "social_insurance_proof", "commitment")]
    data = with_documents(agency, case["id"], application(COUNTY), kinds)
    res = agency.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
    assert res.status_code == 422 and "qualification_certificate" in res.get_json()["errors"]
    data["qualification_required"] = False
    res = agency.post(f"/api/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": data})
    assert res.status_code == 200, res.get_json()


def test_wrong_role_and_wrong_county_are_refused(api_as):
    """Only a county official of the agency's county may review; another county cannot see or act."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    stranger = api_as("county_official", unit=OTHER_COUNTY)
    city = api_as("city_official")
    case_id = submit(agency)
    task = review_task(official, case_id)
    assert stranger.get("/api/inbox").get_json()["items"] == []
    assert stranger.get(f"/api/cases/{case_id}").status_code == 403
    res = stranger.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 403
    assert stranger.post(f"/api/tasks/{task['id']}/claim").status_code == 403
    assert agency.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 403
    assert city.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 403
    other_agency = api_as("agency")
    assert other_agency.get(f"/api/cases/{case_id}").status_code == 403
    assert other_agency.post(f"/api/cases/{case_id}/documents").status_code == 403
    auditor = api_as("auditor")
    assert auditor.get(f"/api/cases/{case_id}").status_code == 200
    assert auditor.post(f"/api/tasks/{task['id']}/claim").status_code == 403
    assert auditor.post("/api/cases", json={"process": "registration"}).status_code == 403


def test_documents_are_content_checked_hashed_and_access_controlled(api_as):
    """PDF/JPEG/PNG judged by content, ≤ 20 MB, SHA-256 returned; downloads check access."""
    agency = api_as("agency")
    case = agency.post("/api/cases", json={"process": "registration"}).get_json()
    res = agency.upload(case["id"], "business_license", PNG, "执照.png")
    body = res.get_json()
    assert res.status_code == 201 and body["kind"] == "business_license" and len(body["sha256"]) == 64
    assert body["size"] == len(PNG)
    fake = agency.upload(case["id"], "business_license", b"MZ\x90\x00 not a pdf", "执照.pdf")
    assert fake.status_code == 422 and "file" in fake.get_json()["errors"]
    boundary = "anfuboundary"
    raw = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nbusiness_license\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 1) \
        + f"\r\n--{boundary}--\r\n".encode()
    big = agency.client.post(f"/api/cases/{case['id']}/documents", headers=agency._h(),
                             input_stream=io.BytesIO(raw), content_length=len(raw),
                             content_type=f"multipart/form-data; boundary={boundary}")
    assert big.status_code == 422 and "20MB" in big.get_json()["errors"]["file"][0]
    assert agency.get(f"/api/documents/{body['id']}").data == PNG
    assert api_as("agency").get(f"/api/documents/{body['id']}").status_code == 403
