"""The zh-CN pages: inbox, task form re-rendered with Chinese messages, case timeline, directory, demo data."""
from models import Agency, Case, db
from tests.factories import PASSWORD


def _login(client, user):
    res = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert res.status_code == 302


def test_task_form_rerendered_with_chinese_messages_and_values_kept(client, make_user):
    """A refused HTML submission answers 422 with messages beside the fields and the typed values kept."""
    agency = make_user("agency")
    _login(client, agency)
    res = client.post("/cases/new", data={"process": "registration"})
    assert res.status_code == 302 and "/tasks/" in res.headers["Location"]
    task_url = res.headers["Location"]
    page = client.get(task_url).get_data(as_text=True)
    assert "单位名称" in page and "依据：《晋城市" in page and "营业执照复印件" in page
    res = client.post(task_url, data={"name": "测试安全咨询有限公司", "credit_code": "123", "email": "bad"})
    text = res.get_data(as_text=True)
    assert res.status_code == 422
    assert "统一社会信用代码应为18位" in text and "电子信箱格式不正确" in text and "此项为必填项" in text
    assert 'value="测试安全咨询有限公司"' in text
    assert db.session.query(Case).one().version == 1


def test_inbox_page_lists_tasks_with_due_dates_and_counts(client, make_user, api_as):
    """An official lands on the inbox: task titles, 待认领, counts per process."""
    from tests.test_registration import submit
    submit(api_as("agency"))
    official = make_user("county_official", unit="140502")
    res = client.post("/login", data={"username": official.username, "password": PASSWORD})
    assert res.headers["Location"].endswith("/")
    text = client.get("/inbox").get_data(as_text=True)
    assert "县级审核登记材料" in text and "待认领" in text and "初次登记建档" in text


def test_case_page_shows_timeline_with_actors(client, make_user, api_as):
    """The case page shows every event with who and when (Asia/Shanghai)."""
    from tests.test_registration import submit
    agency = api_as("agency")
    case_id = submit(agency)
    official = make_user("county_official", unit="140502", name="城区审核员")
    _login(client, official)
    text = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "发起案件" in text and "上传材料" in text and "办理" in text and agency.user.display_name in text


def test_wrong_county_official_gets_403_page_in_chinese(client, make_user, api_as):
    """Another county's official cannot open the case page."""
    from tests.test_registration import submit
    case_id = submit(api_as("agency"))
    _login(client, make_user("county_official", unit="140521"))
    res = client.get(f"/cases/{case_id}")
    assert res.status_code == 403 and "无权" in res.get_data(as_text=True)


def test_seed_demo_loads_users_and_agencies_in_several_states(app):
    """`flask seed-demo` prints demo users and leaves agencies registered, under review, returned, rejected."""
    res = app.test_cli_runner().invoke(args=["seed-demo"])
    assert res.exit_code == 0, res.output
    assert "anfu-demo-2026" in res.output and "county1" in res.output
    registrations = [c for c in db.session.query(Case).filter_by(process_key="registration")]
    outcomes = sorted((c.outcome or c.status) for c in registrations)
    assert outcomes.count("approved") == 2 and "rejected" in outcomes and outcomes.count("running") == 3
    assert db.session.query(Agency).count() == 2
    # supervision demo: an expert holds a scoring task, the leader an interview notice to approve
    from models import OpenTask
    tasks = {t.bpmn_id: t for t in db.session.query(OpenTask)}
    assert tasks["expert_scoring"].assignee.username == "expert1" and "approve_notice" in tasks
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0 and db.session.query(Agency).count() == 2
    assert db.session.query(Case).filter_by(process_key="grading").count() == 2


def test_public_directory_needs_no_login_and_searches(client, api_as):
    """The public directory lists registered agencies; search by name or credit code."""
    assert client.get("/public/directory").status_code == 200
    assert "暂无登记机构" in client.get("/public/directory?q=none").get_data(as_text=True)


def test_timeline_labels_come_from_the_cases_own_process(client, make_user, api_as):
    """A field name shared by several processes ('opinion') is labelled as the case's own form labels it."""
    from tests.test_registration import review_task, submit
    agency = api_as("agency")
    case_id = submit(agency)
    official = api_as("county_official", unit="140502")
    task = review_task(official, case_id)
    official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": "请补正"}})
    text = client.get(f"/cases/{case_id}", headers={"Authorization": f"Bearer {official.token}"}).get_data(as_text=True)
    assert "审核说明" in text and "审批说明" not in text


def test_refused_form_keeps_integer_choices_selected(client, make_user, api_as):
    """A select whose values are ids (the interview's agency) keeps its selection when the form is refused."""
    from tests.sanctions_factories import registered_agency
    _, agency = registered_agency(api_as)
    official = make_user("city_official")
    _login(client, official)
    res = client.post("/cases/new", data={"process": "interview"})
    assert res.headers["Location"].endswith("/cases/new?process=interview")  # nothing created yet
    page = client.post("/cases/new", data={"process": "interview", "with_form": "1", "agency_id": str(agency.id),
                                           "grounds": ["JC-17-1"]}).get_data(as_text=True)
    assert f'<option value="{agency.id}" selected>' in page and 'value="JC-17-1" checked' in page
