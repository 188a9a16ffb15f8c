"""Sign-off before a grading result goes public (issue 9; [LY22] 四(三)): the official sees the exact line to be
published on the publicity page, and the line to go on the final list, and confirms each."""
from datetime import UTC, datetime

from freezegun import freeze_time

from tests.grading_factories import LINYI, confirm_final, entry_of, open_round, self_payload
from tests.sanctions_factories import complete, registered_agency, task_of
from tests.test_grading import ROSTER, SATISFACTION
from workflows.timers import tick


def _to_confirmation(api_as):
    """An agency scored by two experts and examined: waiting for the publicity confirmation."""
    a_api, a = registered_agency(api_as, n=1)
    experts = [api_as("expert", name="甲专家"), api_as("expert", name="乙专家")]
    city = open_round(api_as, [a])
    complete(a_api, "self_assessment", self_payload(LINYI))
    case_id = entry_of(a).case_id
    complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, case_id)
    for expert in experts:
        task = next(t for t in expert.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
        assert expert.post(f"/api/tasks/{task['id']}/complete", json={"data": {}}).status_code == 200
    complete(city, "exam_roster", ROSTER, case_id)
    task = task_of(city, "exam", case_id)
    drawn = [line.split()[0] for line in city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]["exam_scores"]
             .splitlines()]
    complete(city, "exam", dict(SATISFACTION, exam_scores="\n".join(f"{n} 58" for n in drawn)), case_id)
    return a, experts, city, case_id, drawn


def test_publicity_waits_for_the_official_who_sees_the_line_to_be_published(api_as, client):
    """Nothing is on the public page before 核对并发布公示; the task shows the agency, score, grade and the
    individual exam scores that will be published ([LY22] 三(四)); 退回 needs a reason and re-inspects."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, experts, city, case_id, drawn = _to_confirmation(api_as)
        assert entry_of(a).phase == "inspection"
        assert a.name not in client.get("/public/grading/publicity").get_data(as_text=True)
        task = task_of(city, "confirm_publicity", case_id)
        page = city.get(f"/tasks/{task['id']}").get_data(as_text=True).split('class="card task-form"')[0]
        assert "将在公示页面发布的内容" in page and a.name in page and a.credit_code in page
        assert f"{drawn[0]} 58（不合格）" in page and "7个工作日" in page
        complete(city, "confirm_publicity", {"publish_decision": "reinspect"}, case_id, status=422)
        complete(city, "confirm_publicity", {"publish_decision": "reinspect", "publish_opinion": "抽考成绩录入有误"},
                 case_id)
        assert [t for t in experts[0].get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id]
        assert a.name not in client.get("/public/grading/publicity").get_data(as_text=True)


def test_the_final_result_waits_for_the_official_who_sees_the_final_list_line(api_as, client):
    """Publicity over: the grade is final only once the official confirms the final-list line."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, _experts, city, case_id, _drawn = _to_confirmation(api_as)
        complete(city, "confirm_publicity", {"publish_decision": "publish"}, case_id)
        assert a.name in client.get("/public/grading/publicity").get_data(as_text=True)
    assert tick(datetime(2026, 12, 31, tzinfo=UTC)) == 1  # publicity over
    assert entry_of(a).phase == "publicity"
    with freeze_time("2026-12-31 09:00:00+08:00"):
        city = api_as("city_official")
        rnd = entry_of(a).round_id
        res = city.client.post(f"/grading/rounds/{rnd}/publish", headers=city._h())
        assert res.status_code == 409 and "尚未结束" in res.get_data(as_text=True)
        task = task_of(city, "confirm_final", case_id)
        page = city.get(f"/tasks/{task['id']}").get_data(as_text=True).split('class="card task-form"')[0]
        assert "将列入最终结果的内容" in page and a.name in page and "列入最终名单" in page
        complete(city, "confirm_final", {"confirmed": False}, case_id, status=422)
        confirm_final(city, case_id)
        assert entry_of(a).phase == "final"
