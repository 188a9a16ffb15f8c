"""Sign-off before anything is served (issue 9): the leader sees the rendered 告知书/约谈通知书 before approving;
the decision is taken seeing the 陈述申辩 in full; an interview record waits for the interview, whose day starts
the rectification period. Sources: 国办发〔2020〕49号(八); [JC] 第十七条、第十八条."""
from freezegun import freeze_time

from models import Case, Document, db
from tests.sanctions_factories import complete, registered_agency, task_of
from tests.test_blacklist import INVESTIGATION, _start
from tests.test_interview import NOTICE, RECORD, _open


def _head(page: str) -> str:
    """The task page above the form."""
    return page.split('class="card task-form"')[0]


def test_blacklist_notice_is_served_only_after_the_leader_approves_the_rendered_text(api_as):
    """国办发〔2020〕49号(八): nothing reaches the agency before the leader has seen and approved the 告知书."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, leader, res = _start(api_as, agency_row, approve=False)
        case_id = res.get_json()["id"]
        assert db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_notice").count() == 0
        assert not [t for t in agency_api.get("/api/inbox").get_json()["items"] if t["case_id"] == case_id]
        assert agency_api.get(f"/api/cases/{case_id}").status_code == 403
        task = task_of(leader, "approve_notice", case_id)
        head = _head(leader.get(f"/tasks/{task['id']}").get_data(as_text=True))
        assert "列入告知书（预览）" in head and agency_row.name in head
        assert INVESTIGATION["penalty_decision_no"] in head and "2026年11月30日" in head
        # 退回 needs a reason and goes back to the case officer
        complete(leader, "approve_notice", {"notice_decision": "return"}, case_id, status=422)
        complete(leader, "approve_notice", {"notice_decision": "return", "notice_opinion": "事实表述不完整"}, case_id)
        assert task_of(city, "investigate", case_id)
        assert db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_notice").count() == 0
        complete(city, "investigate", dict(INVESTIGATION, agency_id=agency_row.id), case_id)
        complete(leader, "approve_notice", {"notice_decision": "approve"}, case_id)
        assert db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_notice").count() == 1
        assert task_of(agency_api, "file_defence", case_id)


def test_the_decision_is_taken_seeing_the_defence_and_its_file(api_as):
    """作出列入决定 shows the agency's 陈述申辩 text and evidence at the top of the task."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, leader, res = _start(api_as, agency_row)
        case_id = res.get_json()["id"]
        doc = agency_api.upload(case_id, "evidence", filename="外包合同.pdf").get_json()["id"]
        complete(agency_api, "file_defence", {"statement": "数据由外包单位提供，我单位不知情", "evidence": doc})
        complete(city, "review_defence", {"decision": "list", "opinion": "申辩理由不成立"}, case_id)
        task = task_of(leader, "decide", case_id)
        head = _head(leader.get(f"/tasks/{task['id']}").get_data(as_text=True))
        assert "数据由外包单位提供，我单位不知情" in head and "外包合同.pdf" in head and f"/documents/{doc}" in head


def test_interview_notice_approval_shows_the_rendered_notice(api_as):
    """The leader approves the 约谈通知书 seeing its text as it will be issued ([JC] 第十七条)."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        _, agency_row = registered_agency(api_as)
        _city, leader, case_id = _open(api_as, agency_row)
        task = task_of(leader, "approve_notice", case_id)
        head = _head(leader.get(f"/tasks/{task['id']}").get_data(as_text=True))
        assert "约谈通知书（预览）" in head and agency_row.name in head and "第十七条" in head
        assert NOTICE["interview_place"] in head and "应急约谈〔2026〕" in head


def test_record_refused_before_the_interview_and_period_counts_from_the_interview(api_as):
    """No record before the scheduled time; 10 working days from 2026-11-23 (the interview), not from 11-25."""
    with freeze_time("2026-11-23 09:00:00+08:00"):
        agency_api, agency_row = registered_agency(api_as)
        city, leader, case_id = _open(api_as, agency_row)
        complete(leader, "approve_notice", {"decision": "approve"})
        complete(agency_api, "acknowledge_notice", {"attendees": "王建国，总经理", "acknowledged": True})
        task = task_of(city, "hold_interview", case_id)
        res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": RECORD})
        assert res.status_code == 422 and "2026-11-23 09:30" in res.get_json()["errors"]["attendees"][0]
        page = city.client.post(f"/tasks/{task['id']}", headers=city._h(), data=dict(RECORD))
        assert page.status_code == 422 and "约谈开始前不能录入约谈记录" in page.get_data(as_text=True)
    with freeze_time("2026-11-25 15:00:00+08:00"):  # entered two days after the interview
        city = api_as("city_official")
        complete(city, "hold_interview", RECORD, case_id)
        agency = api_as("agency", agency_id=agency_row.id)
        due = task_of(agency, "submit_rectification", case_id)["due_at"]
        assert due.startswith("2026-12-07T16:00:00")  # 11-23 + 10 working days → 12-07 24:00, not 12-09
    assert db.session.get(Case, case_id).status == "running"
