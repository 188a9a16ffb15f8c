"""Forms never open with another person's words (issue 9): decision forms open empty, earlier decisions are
shown read-only beside them, and a form is pre-filled only from its own role's earlier submission."""
from handlers import FORMS
from models import OpenTask, db
from tests.test_registration import review_task, submit

COUNTY = "140502"


def _return_and_correct(agency, official, case_id, opinion="营业执照复印件不清晰，请补正后重新提交"):
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "return", "opinion": opinion}})
    assert res.status_code == 200, res.get_json()
    [back] = agency.get("/api/inbox").get_json()["items"]
    detail = agency.get(f"/api/tasks/{back['id']}").get_json()
    res = agency.post(f"/api/tasks/{back['id']}/complete", json={"data": detail["prefill"]})
    assert res.status_code == 200, res.get_json()
    return detail


def test_second_county_review_after_correction_opens_empty_with_the_first_shown_read_only(api_as, client):
    """The re-review after 退回补正 must not open with 退回补正 selected and the old opinion in the box."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY, name="审核员甲")
    case_id = submit(agency)
    _return_and_correct(agency, official, case_id)
    task = review_task(official, case_id)
    assert official.get(f"/api/tasks/{task['id']}").get_json()["prefill"] == {}
    from tests.test_process_pages import login
    login(client, official.user)
    html = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    form = html[html.index('class="card task-form"'):]
    form = form[:form.index("</form>")]
    assert "checked" not in form and "请补正后重新提交" not in form
    # the earlier decision is shown, read-only, above the form, with who made it
    before = html[:html.index('class="card task-form"')]
    assert "此前的" in before and "审核员甲" in before and "请补正后重新提交" in before


def test_correction_opens_with_the_agency_own_application_not_the_reviewer_opinion(api_as):
    """The agency's correction carries over its own application; the reviewer's words are shown, not copied."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    detail = _return_and_correct(agency, official, case_id)
    assert detail["prefill"]["name"] == "晋城市安泰安全技术服务有限公司1"
    assert "opinion" not in detail["prefill"] and "decision" not in detail["prefill"]


def test_no_form_opens_with_values_it_does_not_declare(app, api_as):
    """Only forms that declare `carry_over` take earlier submissions; the rest take only computed prefill."""
    carriers = {k for k, spec in FORMS.items() if spec.carry_over}
    assert carriers == {"registration_correction", "interview_notice", "periodic_report_correction"}
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY)
    case_id = submit(agency)
    _return_and_correct(agency, official, case_id)
    task = db.session.query(OpenTask).filter_by(case_id=case_id).one()
    from views.forms import prefill_for
    assert prefill_for(task) == {}


def test_the_submission_a_decision_is_about_is_shown_in_words_not_codes(api_as, client):
    """Issue 9: the leader's approval shows the draft's grounds by title and its time as entered, not
    'JC-17-1' or '2026-11-23T09:30'."""
    from freezegun import freeze_time

    from tests.factories import PASSWORD
    from tests.sanctions_factories import registered_agency, task_of
    from tests.test_interview import _open
    with freeze_time("2026-11-20 09:00:00+08:00"):
        _, agency = registered_agency(api_as)
        _, leader, case_id = _open(api_as, agency)
        task = task_of(leader, "approve_notice", case_id)
        assert client.post("/login", data={"username": leader.user.username, "password": PASSWORD}).status_code == 302
        page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    shown = page[page.index("<h2>约谈通知书</h2>"):]
    shown = shown[:shown.index("</section>")]
    assert "JC-17" not in shown and "T09:30" not in shown, shown
    assert "09:30" in shown
