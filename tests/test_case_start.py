"""Starting and ending cases without dead ends (issue 9): nothing is created until the first form is accepted,
processes started inside a round are not offered, a draft can be discarded (作废) with a reason."""
from models import AuditEvent, Case, OpenTask, db
from tests.factories import PASSWORD
from tests.sanctions_factories import registered_agency


def _login(client, user):
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def _interview_form(agency_id, **over):
    data = {"process": "interview", "with_form": "1", "agency_id": str(agency_id), "grounds": ["JC-17-1"],
            "evidence": "经查，该机构2026年度工作报告未按期报送。", "interview_time": "2099-12-20T09:30",
            "interview_place": "市应急管理局三楼会议室", "attendees_required": "法定代表人、技术负责人",
            "contact_name": "张科长", "contact_phone": "0356-2020000"}
    data.update(over)
    return data


def test_opening_the_interview_form_creates_no_case_and_a_refused_form_creates_none(client, make_user, api_as):
    """Clicking 警示约谈 shows the notice form; an incomplete form is refused with nothing saved."""
    _, agency = registered_agency(api_as)
    official = make_user("city_official")
    _login(client, official)
    before = db.session.query(Case).count()
    page = client.get("/cases/new?process=interview")
    assert page.status_code == 200 and "约谈对象（机构）" in page.get_data(as_text=True)
    res = client.post("/cases/new", data={"process": "interview"})
    assert res.status_code == 302 and res.headers["Location"].endswith("/cases/new?process=interview")
    res = client.post("/cases/new", data=_interview_form(agency.id, interview_place=""))
    assert res.status_code == 422 and "案件尚未发起" in res.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Case).count() == before
    assert db.session.query(AuditEvent).filter(AuditEvent.action == "case_started",
                                               AuditEvent.actor_id == official.id).count() == 0


def test_submitting_the_first_form_starts_the_case_named_after_the_agency(client, make_user, api_as):
    """The case exists once the notice draft is accepted; it goes to the leader's approval."""
    _, agency = registered_agency(api_as)
    official = make_user("city_official")
    _login(client, official)
    res = client.post("/cases/new", data=_interview_form(agency.id))
    assert res.status_code == 302, res.get_data(as_text=True)
    case = db.session.query(Case).filter_by(process_key="interview").one()
    assert case.title == f"{agency.name} 警示约谈" and case.agency_id == agency.id
    assert [t.role for t in db.session.query(OpenTask).filter_by(case_id=case.id)] == ["leader"]


def test_grading_is_not_offered_in_the_start_menu_and_is_refused_with_the_reason(client, make_user):
    """分类等级评定/星级评定 start inside a round; starting one from the case list is a clear 409, not a 500."""
    official = make_user("city_official")
    _login(client, official)
    page = client.get("/cases").get_data(as_text=True)
    menu = page.split("<h2>发起</h2>")[1].split("</section>")[0]  # the list's 流程 filter names every process
    assert "警示约谈" in menu and "分类等级评定" not in menu and "星级评定" not in menu
    for process in ("grading", "star_rating"):
        res = client.post("/cases/new", data={"process": process})
        assert res.status_code == 409 and "评定轮次" in res.get_data(as_text=True)
        assert client.get(f"/cases/new?process={process}").status_code == 409


def test_a_started_registration_can_be_withdrawn_by_its_starter_with_a_reason(client, api_as):
    """作废: the starter ends an unfinished draft; a reason is required; another agency cannot."""
    agency = api_as("agency")
    other = api_as("agency")
    case_id = agency.post("/api/cases", json={"process": "registration"}).get_json()["id"]
    _login(client, other.user)
    assert client.post(f"/cases/{case_id}/withdraw", data={"reason": "误操作"}).status_code == 403
    client.post("/logout")
    _login(client, agency.user)
    assert "作废本案件" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    res = client.post(f"/cases/{case_id}/withdraw", data={"reason": " "})
    assert res.status_code == 422
    res = client.post(f"/cases/{case_id}/withdraw", data={"reason": "重复发起，作废"})
    assert res.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.status == "cancelled" and db.session.query(OpenTask).filter_by(case_id=case_id).count() == 0
    ev = db.session.query(AuditEvent).filter_by(case_id=case_id, action="case_withdrawn").one()
    assert "重复发起" in ev.detail
    assert client.post(f"/cases/{case_id}/withdraw", data={"reason": "再次"}).status_code in (403, 409)


def test_an_expert_who_submits_goes_to_the_inbox_with_the_message_not_to_a_forbidden_case(api_as, client):
    """Issue 9: after completing, go where the user may be (an expert may not open the case page)."""
    from freezegun import freeze_time

    from tests.grading_factories import entry_of, open_round, self_payload
    from tests.sanctions_factories import complete, task_of
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency = registered_agency(api_as)
        city = open_round(api_as, [agency], dates=("2026-12-10", "2026-12-20", "2027-01-15"))
        complete(agency_api, "self_assessment", self_payload("linyi/grading_sheet"))
        experts = [api_as("expert", name=f"专家{i}") for i in range(2)]
        case_id = entry_of(agency).case_id
        complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, case_id)
        task = task_of(experts[0], "expert_scoring", case_id)
        prefill = experts[0].get(f"/api/tasks/{task['id']}").get_json()["prefill"]
        _login(client, experts[0].user)
        form = {k: ("on" if v is True else v) for k, v in prefill.items() if v not in (False, None, "")}
        res = client.post(f"/tasks/{task['id']}", data=form)
        assert res.status_code == 302 and res.headers["Location"].endswith("/inbox")
        page = client.get("/inbox").get_data(as_text=True)
        assert "已办理" in page and "无权" not in page
