"""嘉兴 星级评定 ([JX] 星级评定, 附录A 表A; domain.md §P7): the same three phases with 表A, every two years."""
import io
from datetime import UTC, datetime

from freezegun import freeze_time
from openpyxl import load_workbook

from models import Agency, Case, GradingEntry, Objection, db
from tests.grading_factories import (
    JIAXING,
    confirm_final,
    confirm_publicity,
    entry_of,
    open_round,
    self_payload,
)
from tests.sanctions_factories import complete, registered_agency, task_of
from workflows.timers import tick


def _set_staff(agency_row, count: int) -> None:
    db.session.get(Agency, agency_row.id).staff_count = count
    db.session.commit()


def _expert_task(expert, case_id):
    task = next(t for t in expert.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
    return expert.get(f"/api/tasks/{task['id']}").get_json()


def test_a_star_round_from_self_assessment_to_the_published_list(api_as, client):
    """表A scored by two experts with the platform's staff count pre-marked ([JX] 表A 第2项), a flagged
    disagreement on 第4项 (uploads), satisfaction averaged (第25项), stars from the default table labelled as
    not from the standard, publicity with a dismissed objection, the list of starred agencies; no second
    round within two years ([JX] 星级评定 “每二年”)."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a_api, a = registered_agency(api_as, n=1)
        _b_api, b = registered_agency(api_as, n=2)
        city = open_round(api_as, [a, b], scheme="jiaxing")
        case = db.session.get(Case, entry_of(a).case_id)
        assert case.process_key == "star_rating" and "星级评定" in case.title
        task = task_of(a_api, "self_assessment")
        schema = a_api.get(f"/api/tasks/{task['id']}").get_json()["form_schema"]["properties"]
        assert "statutory_projects" not in schema and "self_1_4" in schema  # no 附件2/3 in 嘉兴
        assert schema["self_1_4"]["maximum"] == 5 and "[JX] 表A 第4项" in schema["self_1_4"]["description"]
        res = a_api.post(f"/api/tasks/{task['id']}/complete", json={"data": self_payload(JIAXING, self_1_4=6)})
        assert res.status_code == 422 and res.get_json()["errors"]["self_1_4"] == ["应不小于 0 且不大于 5"]
        complete(a_api, "self_assessment", self_payload(JIAXING, self_1_2=2, self_note_1_2="专职人员6名"))
        assert entry_of(a).self_score == 87.0  # 90 points the agency assesses (第25项 is surveyed), 3 off 第2项
    # B never submits: 视为放弃 at the end of the phase-1 date (platform default for 嘉兴)
    assert tick(datetime(2026, 9, 10, 16, 0, 1, tzinfo=UTC)) == 1
    assert entry_of(b).phase == "waived"
    _set_staff(a, 6)
    with freeze_time("2026-09-21 10:00:00+08:00"):
        city = api_as("city_official")
        experts = [api_as("expert", name="嘉兴专家甲"), api_as("expert", name="嘉兴专家乙")]
        case_id = entry_of(a).case_id
        complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, case_id)
        first = _expert_task(experts[0], case_id)
        assert first["prefill"]["item_1_2_0"] is True  # 6 registered staff < 8 → 第2项 −3 pre-marked
        table = first["tables"][0]
        assert table["title"] == "机构自评与平台数据"
        row = next(r for r in table["rows"] if r["cells"][0] == 2)
        assert row["cells"][3] == 2 and row["cells"][4] == "专职人员6名" and "专职技术服务人员 6 人" in row["cells"][5]
        row4 = next(r for r in table["rows"] if r["cells"][0] == 4)
        assert "平台暂无该机构上传的服务合同记录" in row4["cells"][5]
        res = experts[0].post(f"/api/tasks/{first['id']}/complete",
                              json={"data": dict(first["prefill"], item_1_4_1=3, expert_notes="抽查合同缺三份")})
        assert res.status_code == 200, res.get_json()
        second = _expert_task(experts[1], case_id)
        assert second["prefill"]["item_1_4_1"] == 0  # a clean sheet, not the first expert's findings
        page = experts[1].client.get(f"/tasks/{second['id']}", headers=experts[1]._h()).get_data(as_text=True)
        assert "少上传一份服务合同" in page and "嘉兴专家甲" in page  # the sheet, and who scored before …
        assert "抽查合同缺三份" not in page  # … but not what they found (independent scoring)
        res = experts[1].post(f"/api/tasks/{second['id']}/complete", json={"data": second["prefill"]})
        assert res.status_code == 200, res.get_json()
        task = task_of(city, "satisfaction", case_id)
        assert "抽查合同缺三份" in city.client.get(f"/tasks/{task['id']}", headers=city._h()).get_data(as_text=True)
        tables = city.get(f"/api/tasks/{task['id']}").get_json()["tables"]
        rows = {r["cells"][0]: r for r in tables[0]["rows"]}
        assert rows[4]["cells"][3:6] == [3.5, 5.0, 4.25] and rows[4]["flag"] == "分歧"  # spread 1.5 > 20% of 5
        assert rows[2]["cells"][3:6] == [2.0, 2.0, 2.0] and rows[2]["flag"] == ""
        res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": {"satisfaction": "2/2/2/2/2"}})
        assert res.status_code == 422 and res.get_json()["errors"]["satisfaction"] == ["本评分表没有分项评议表，请填写合计分"]
        complete(city, "satisfaction", {"satisfaction": "10, 8"}, case_id)
        assert entry_of(a).phase == "inspection"  # not public before the official confirms what is published
        assert confirm_publicity(city, case_id)
        entry = entry_of(a)
        # 100 − 3 (第2项) − 0.75 (第4项 mean of 1.5 and 0) − 1 (第25项 mean 9 of 10) = 95.25 → 五星级 (default band)
        assert entry.final_score == 95.25 and entry.grade == "五星级" and entry.phase == "publicity"
        page = client.get("/public/grading/publicity").get_data(as_text=True)
        assert a.name in page and "五星级" in page and "非标准规定" in page
    with freeze_time("2026-09-24 10:00:00+08:00"):
        res = client.post("/public/grading/objections", data={"entry_id": str(entry_of(a).id), "name": "王先生",
                                                               "text": "该机构合同上传不全"})
        assert res.status_code == 302
        city = api_as("city_official")
        complete(city, "handle_objection", {"decision": "dismiss", "reply": "经核查，已按表A第4项扣分"},
                 entry_of(a).case_id)
        assert db.session.query(Objection).one().status == "dismissed"
    # 7 working days from 2026-09-21, start day excluded: 09-22/23/24, 中秋 09-25…27 off, 09-28/29/30,
    # 国庆 10-01…07 off, 10-08 → ends 2026-10-08 24:00
    assert entry_of(a).publicity_until.isoformat() == "2026-10-08T16:00:00+00:00"
    assert tick(datetime(2026, 10, 8, 15, 59, tzinfo=UTC)) == 0
    assert tick(datetime(2026, 10, 8, 16, 0, 1, tzinfo=UTC)) == 1
    with freeze_time("2026-10-09 08:30:00+08:00"):
        confirm_final(api_as("city_official"), entry_of(a).case_id)
    assert entry_of(a).phase == "final"
    with freeze_time("2026-10-09 09:00:00+08:00"):
        city = api_as("city_official")
        rnd = entry_of(a).round_id
        assert city.client.post(f"/grading/rounds/{rnd}/publish", headers=city._h(),
                                data={"confirmed": "on"}).status_code == 302
        page = client.get(f"/public/grading/rounds/{rnd}/final").get_data(as_text=True)
        assert a.name in page and b.name not in page and "[JX] 星级评定" in page
        wb = load_workbook(io.BytesIO(client.get(f"/public/grading/rounds/{rnd}/final.xlsx").data))
        rows = list(wb.active.values)
        assert rows[0][4] == "星级" and rows[1][1:5] == (a.name, a.credit_code, 95.25, "五星级")
        assert "五星级" in client.get(f"/public/directory/{a.id}").get_data(as_text=True)
        case_page = city.client.get(f"/cases/{entry_of(a).case_id}", headers=city._h()).get_data(as_text=True)
        assert "评估小组专家" in case_page and "满意度测评" in case_page and "评分明细" in case_page
        # every point traced to a finding and a rule: 第4项 by the first expert, 3 missing contracts
        assert "嘉兴专家甲：第4项 满分5：少上传一份服务合同×3；扣1.5 → 得3.5（依据：《安全生产技术服务机构管理规范》表A 第4项）" in case_page
        assert "2份测评平均 → 得9.0（依据：《安全生产技术服务机构管理规范》表A 第25项）" in case_page
        auditor = api_as("auditor")
        story = auditor.client.get(f"/audit/cases/{entry_of(a).case_id}", headers=auditor._h())
        assert story.status_code == 200 and "第2项 专职人员（满分5） 自评得分" in story.get_data(as_text=True)
        res = open_round(api_as, [a], scheme="jiaxing", year="2027", dates=("2027-03-01", "2027-03-10", "2027-03-31"),
                         status=422)
        assert "每2年开展一次" in res.get_data(as_text=True) and "2028年度" in res.get_data(as_text=True)
        assert db.session.query(GradingEntry).count() == 2
        open_round(api_as, [a], scheme="jiaxing", year="2028", dates=("2028-03-01", "2028-03-10", "2028-03-31"))
        assert db.session.query(GradingEntry).count() == 3
