"""分类等级评定 round end to end ([LY22] 三、四、五、六; domain.md §P6, §8), time moved through 国庆 2026."""
import io
from datetime import UTC, datetime

from freezegun import freeze_time
from openpyxl import load_workbook

from models import CaseLink, GradingEntry, Objection, db
from tests.factories import PDF
from tests.grading_factories import LINYI, confirm_final, confirm_publicity, self_payload
from tests.grading_factories import entry_of as _entry
from tests.grading_factories import open_round as _open_round_as
from tests.sanctions_factories import complete, registered_agency, task_of
from workflows.timers import tick

SELF = self_payload(LINYI)
ROSTER = {"staff_roster": "张一\n李二\n王三\n赵四"}
SATISFACTION = {"satisfaction": "10, 9"}


def _open_round(api_as, agencies):
    return _open_round_as(api_as, agencies)


def _inspect(city, experts, agency_row, veto=None, findings=None, exam_scores=None, satisfaction=None):
    exam_scores = exam_scores or {}
    case_id = _entry(agency_row).case_id
    for expert in experts:
        data = dict(findings or {})
        if veto:
            data.update(veto=veto, veto_evidence="出具的报告存在伪造检测数据")
        task = next(t for t in expert.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
        assert task["name"] == "expert_scoring" and task["assignee"] == expert.user.username
        res = expert.post(f"/api/tasks/{task['id']}/complete", json={"data": data})
        assert res.status_code == 200, res.get_json()
    complete(city, "exam_roster", ROSTER, case_id)
    task = task_of(city, "exam", case_id)
    prefill = city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]["exam_scores"]
    drawn = [line.split()[0] for line in prefill.splitlines()]
    assert len(drawn) == 2  # ⌈50% × 4⌉ drawn at random, the seed kept in the audit trail
    res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": dict(SATISFACTION, exam_scores="某人 90")})
    assert res.status_code == 422 and "抽中人员" in res.get_json()["errors"]["exam_scores"][0]
    scores = "\n".join(f"{name} {exam_scores.get(i, 90)}" for i, name in enumerate(drawn))
    complete(city, "exam", dict(satisfaction or SATISFACTION, exam_scores=scores), case_id)
    confirm_publicity(city, case_id)


def _examined_agency(api_as, exam_scores, satisfaction=None):
    """An agency through self-assessment, two experts and the staff exam (now in publicity)."""
    a_api, a = registered_agency(api_as, n=1)
    experts = [api_as("expert", name="甲专家"), api_as("expert", name="乙专家")]
    city = _open_round(api_as, [a])
    complete(a_api, "self_assessment", SELF)
    complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, _entry(a).case_id)
    _inspect(city, experts, a, exam_scores=exam_scores, satisfaction=satisfaction)
    return a, experts


def test_a_round_through_all_phases_across_national_day(api_as, client):
    """Waived agency; 优秀 with an upheld objection, re-inspection and a second publicity; 差 by veto → interview."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a_api, a = registered_agency(api_as, n=1)
        b_api, b = registered_agency(api_as, n=2)
        c_api, c = registered_agency(api_as, n=3)
        experts = [api_as("expert", name="吴教授"), api_as("expert", name="郑高工")]
        city = _open_round(api_as, [a, b, c])
        complete(a_api, "self_assessment", SELF)
        complete(c_api, "self_assessment", SELF)
        res = b_api.post(f"/api/tasks/{task_of(b_api, 'self_assessment')['id']}/complete", json={"data": {"summary": ""}})
        assert res.status_code == 422 and "summary" in res.get_json()["errors"]
    # [LY22] 六(一): B did not submit by 2026-09-10 → 视为主动放弃 at 2026-09-11 00:00 +08:00
    assert tick(datetime(2026, 9, 10, 15, 59, tzinfo=UTC)) == 0
    assert tick(datetime(2026, 9, 10, 16, 0, 1, tzinfo=UTC)) == 1
    assert _entry(b).phase == "waived"
    with freeze_time("2026-09-30 10:00:00+08:00"):
        city = api_as("city_official")
        experts = [api_as("expert", agency_id=None, name=f"e{i}") for i in range(2)]
        for row in (a, c):
            task = task_of(city, "form_panel", _entry(row).case_id)
            res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": {"panel": [experts[0].user.id], "lead": experts[0].user.id}})
            assert res.status_code == 422 and "至少2名" in res.get_json()["errors"]["panel"][0]
            # the lead is chosen explicitly, and must be one of the panel (issue 9)
            res = city.post(f"/api/tasks/{task['id']}/complete",
                            json={"data": {"panel": [e.user.id for e in experts]}})
            assert res.status_code == 422 and "lead" in res.get_json()["errors"]
            outsider = api_as("expert", name=f"外部专家{row.id}")
            res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": {
                "panel": [e.user.id for e in experts], "lead": outsider.user.id}})
            assert res.status_code == 422 and res.get_json()["errors"]["lead"] == ["评估小组组长须为选中的评估专家之一"]
            complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, _entry(row).case_id)
        _inspect(city, experts, a)
        _inspect(city, experts, c, veto="V1")
        entry_a, entry_c = _entry(a), _entry(c)
        assert entry_a.phase == "publicity" and entry_a.grade == "优秀" and entry_a.final_score == 97.5
        assert entry_c.grade == "差" and entry_c.vetoed
        # 7 working days from 2026-09-30, start day excluded, skipping 国庆 and counting 10-10 → 2026-10-15 24:00
        assert entry_a.publicity_until.isoformat() == "2026-10-15T16:00:00+00:00"
        page = client.get("/public/grading/publicity").get_data(as_text=True)
        assert a.name in page and "2026-10-15 24:00" in page and "10月10日调休上班日" in page
    with freeze_time("2026-10-09 11:00:00+08:00"):
        res = client.post("/public/grading/objections", data={
            "entry_id": str(_entry(a).id), "text": "该机构2026年有项目人员未到现场", "name": "",
            "file": (io.BytesIO(PDF), "证据.pdf")}, content_type="multipart/form-data")
        assert res.status_code == 302
        objection = db.session.query(Objection).one()
        assert objection.name is None and objection.document_id
        city = api_as("city_official")
        complete(city, "handle_objection", {"decision": "uphold", "reply": "经核查属实，重新检查评估"}, _entry(a).case_id)
        assert _entry(a).phase == "inspection"
    # Re-inspection by the same panel (their tokens have expired by now; they log in again)
    with freeze_time("2026-10-12 10:00:00+08:00"):
        from tests.factories import PASSWORD, Api
        again = []
        for e in experts:
            token = client.post("/api/tokens", json={"username": e.user.username, "password": PASSWORD}).get_json()["token"]
            again.append(Api(client, token, e.user))
        city = api_as("city_official")
        _inspect(city, again, a, findings={"item_2_1_2": 2})  # 人员不到现场 twice: −2 in 2.1
        entry_a = _entry(a)
        assert entry_a.phase == "publicity" and entry_a.final_score == 95.5 and entry_a.grade == "优秀"
        assert entry_a.publicity_until.isoformat() == "2026-10-21T16:00:00+00:00"  # a fresh 7 working days
    # C's publicity ends 2026-10-15 24:00: final 差, which opens a warning interview (links)
    assert tick(datetime(2026, 10, 15, 16, 0, 1, tzinfo=UTC)) == 1
    assert _entry(c).phase == "publicity"  # nothing is final before the official confirms it
    with freeze_time("2026-10-16 09:00:00+08:00"):
        confirm_final(api_as("city_official"), _entry(c).case_id)
    assert _entry(c).phase == "final"
    link = db.session.query(CaseLink).filter_by(agency_id=c.id, target_process="interview").one()
    assert link.ground == "grading_veto_V1" and link.origin_case_id == _entry(c).case_id  # the veto item, [LY22] 三(六)2
    assert tick(datetime(2026, 10, 21, 16, 0, 1, tzinfo=UTC)) == 1
    with freeze_time("2026-10-22 08:30:00+08:00"):
        confirm_final(api_as("city_official"), _entry(a).case_id)
    assert _entry(a).phase == "final"
    with freeze_time("2026-10-22 09:00:00+08:00"):
        city = api_as("city_official")
        rnd = _entry(a).round_id
        confirm = city.client.get(f"/grading/rounds/{rnd}/publish", headers=city._h()).get_data(as_text=True)
        assert "将公布的最终名单" in confirm and a.name in confirm and c.name not in confirm  # what will be public
        assert city.client.post(f"/grading/rounds/{rnd}/publish", headers=city._h()).status_code == 422
        assert client.get(f"/public/grading/rounds/{rnd}/final").status_code == 404
        res = city.client.post(f"/grading/rounds/{rnd}/publish", headers=city._h(), data={"confirmed": "on"})
        assert res.status_code == 302
        page = client.get(f"/public/grading/rounds/{rnd}/final").get_data(as_text=True)
        assert a.name in page and c.name not in page and b.name not in page  # 一般 and above only
        wb = load_workbook(io.BytesIO(client.get(f"/public/grading/rounds/{rnd}/final.xlsx").data))
        rows = list(wb.active.values)
        assert rows[0] == ("序号", "机构名称", "统一社会信用代码", "得分", "等级") and rows[1][1] == a.name


def test_publish_refused_while_cases_are_open_and_wrong_roles(api_as):
    """The final list waits for every case; only city officials open rounds; experts of the agency are refused."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a_api, a = registered_agency(api_as, n=1)
        city = _open_round(api_as, [a])
        rnd = _entry(a).round_id
        res = city.client.post(f"/grading/rounds/{rnd}/publish", headers=city._h())
        assert res.status_code == 409
        res = a_api.client.post("/grading/rounds", headers=a_api._h(), data={"year": "2026"})
        assert res.status_code == 403
        complete(a_api, "self_assessment", SELF)
        insider = api_as("expert", agency_id=a.id, name="本机构专家")
        outsider = api_as("expert", name="外部专家")
        res = city.post(f"/api/tasks/{task_of(city, 'form_panel')['id']}/complete",
                        json={"data": {"panel": [insider.user.id, outsider.user.id], "lead": outsider.user.id}})
        assert res.status_code == 422 and "本机构专家" in res.get_json()["errors"]["panel"][0]


def test_listed_agency_cannot_take_part(api_as):
    """A guard refusing participation (e.g. a blacklist listing) keeps the agency out, with the reason."""
    from workflows.guards import GUARDS, register_guard

    def refuse_all(user, action, **kw):
        return "测试：该机构处于限制期" if action == "participate:grading" else None
    register_guard(refuse_all)
    try:
        with freeze_time("2026-09-01 09:00:00+08:00"):
            _, a = registered_agency(api_as, n=1)
            _open_round(api_as, [a])
            assert db.session.query(GradingEntry).count() == 0
    finally:
        GUARDS.remove(refuse_all)


def test_directory_shows_the_final_grade_and_the_services_a_poor_grade_bars(tmp_path, _template_db):
    """[LY22] 六(三): 差 bars six services, shown on the directory entry; 优秀 is shown as such."""
    from datetime import date

    from models import Agency, GradingRound
    from tests.conftest import make_app
    from workflows.clock import now
    app = make_app(tmp_path, _template_db, ANFU_CITY="linyi")
    with app.app_context():
        rnd = GradingRound(scheme="linyi", year=2026, title="2026年度评定", self_assessment_ends_on=date(2026, 9, 1),
                           inspection_ends_on=date(2026, 9, 2), classification_ends_on=date(2026, 9, 3), status="open",
                           created_at=now())
        db.session.add(rnd)
        rows = []
        for n, grade in enumerate(("优秀", "差"), start=1):
            agency = Agency(name=f"临沂评定{grade}公司", credit_code=f"9137130000000000{n}X"[:18], legal_representative="张",
                            contact_person="李", contact_phone="13800138000", email="a@b.cn", address="临沂",
                            county_code="371302", staff_count=4, service_categories=["安全评估评价"], business_scope="评价",
                            status="registered", registered_on=now().date(), created_at=now())
            db.session.add(agency)
            db.session.flush()
            db.session.add(GradingEntry(round_id=rnd.id, agency_id=agency.id, phase="final", grade=grade, final_score=50.0))
            rows.append(agency.id)
        db.session.commit()
        client = app.test_client()
        assert "优秀" in client.get(f"/public/directory/{rows[0]}").get_data(as_text=True)
        poor = client.get(f"/public/directory/{rows[1]}").get_data(as_text=True)
        for service in ("行政许可", "三同时审查", "标准化评审", "双体系建设", "全要素评价", "企业诊断性检查"):
            assert service in poor
        assert "《临沂市安全生产技术服务机构管理实施方案》六(三)" in poor and "[LY22]" not in poor
        db.engine.dispose()


def test_exam_draw_is_reproducible_and_failed_staff_are_barred_publicly(api_as, client):
    """[LY22] 附件1 第19项: ≥50% drawn at random with the seed recorded; individual scores published during
    publicity ([LY22] 三(四)); below the pass mark (setting, 60) the person is flagged as not allowed to serve
    ([LY22] 五), shown on the directory entry."""
    import json

    from models import AuditEvent
    from rules.scoring import draw_staff_sample
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, _experts = _examined_agency(api_as, exam_scores={0: 55})
        event = db.session.query(AuditEvent).filter_by(action="exam_sample_drawn").one()
        detail = json.loads(event.detail)
        assert draw_staff_sample(["张一", "李二", "王三", "赵四"], detail["seed"]) == detail["drawn"]
        entry = _entry(a)
        assert entry.failed_staff == [detail["drawn"][0]]
        first, second = detail["drawn"]
        assert entry.exam_results == {first: 55, second: 90}
        # [LY22] 三(四) 个人考试成绩将公开公示: the publicity page shows each drawn person's score
        publicity = client.get("/public/grading/publicity").get_data(as_text=True)
        assert f"{first} 55（不合格）、{second} 90" in publicity or f"{second} 90、{first} 55（不合格）" in publicity
    page = client.get(f"/public/directory/{a.id}").get_data(as_text=True)
    assert detail["drawn"][0] in page and "抽考不合格" in page


def test_consensus_mode_the_panel_lead_enters_agreed_scores(api_as):
    """Setting `panel_mode: consensus` (platform default `mean`; [LY22] 四(二) says a panel assesses but not how
    its scores combine): after every expert has scored, the lead (first of the panel) sees each expert's score per
    item with wide disagreements flagged and enters the agreed score; the computed total uses it."""
    from rules.policy import shipped_sheet
    settings = shipped_sheet(LINYI).settings
    settings["panel_mode"] = "consensus"  # as a bureau would set it in policies/linyi/grading_sheet.yaml
    try:
        with freeze_time("2026-09-01 09:00:00+08:00"):
            a_api, a = registered_agency(api_as, n=1)
            city = _open_round(api_as, [a])
            complete(a_api, "self_assessment", self_payload(LINYI, self_2_1=4, self_note_2_1="一名人员未到现场"))
            lead, member = api_as("expert", name="组长专家"), api_as("expert", name="组员专家")
            case_id = _entry(a).case_id
            complete(city, "form_panel", {"panel": [member.user.id, lead.user.id], "lead": lead.user.id}, case_id)
            task = next(t for t in lead.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
            detail = lead.get(f"/api/tasks/{task['id']}").get_json()
            own = next(r for r in detail["tables"][0]["rows"] if r["cells"][0] == 6)
            assert own["cells"][3:5] == [4, "一名人员未到现场"]  # the agency's own score and note beside the sheet
            res = lead.post(f"/api/tasks/{task['id']}/complete", json={"data": {"veto": "V1"}})
            assert res.status_code == 422 and res.get_json()["errors"]["veto_evidence"] == ["一票否决须附证据（[LY22] 三(六)2）"]
            assert lead.post(f"/api/tasks/{task['id']}/complete", json={"data": {"item_2_1_2": 3}}).status_code == 200
            task = next(t for t in member.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
            assert member.post(f"/api/tasks/{task['id']}/complete", json={"data": {}}).status_code == 200
            task = next(t for t in lead.get("/api/inbox?scope=mine").get_json()["items"] if t["case_id"] == case_id)
            assert task["name"] == "panel_consensus"
            detail = lead.get(f"/api/tasks/{task['id']}").get_json()
            assert detail["prefill"]["agreed_2_1"] == 3.5 and detail["prefill"]["agreed_1_1"] == 4.0  # the means
            row = next(r for r in detail["tables"][0]["rows"] if r["cells"][0] == 6)
            assert row["flag"] == "分歧" and row["cells"][3:6] == [2.0, 5.0, 3.5]
            assert "取各专家平均" not in detail["tables"][0]["note"] and "合议" in detail["tables"][0]["note"]
            res = member.post(f"/api/tasks/{task['id']}/complete", json={"data": detail["prefill"]})
            assert res.status_code in (403, 409)  # only the lead enters the consensus
            res = lead.post(f"/api/tasks/{task['id']}/complete", json={"data": detail["prefill"]})
            assert res.status_code == 422 and res.get_json()["errors"]["consensus_notes"] == ["长度应在 1 到 4000 个字符之间"]
            res = lead.post(f"/api/tasks/{task['id']}/complete", json={"data": dict(
                detail["prefill"], agreed_2_1=3, consensus_notes="经合议，认定两次人员不到现场")})
            assert res.status_code == 200, res.get_json()
            complete(city, "exam_roster", ROSTER, case_id)
            task = task_of(city, "exam", case_id)
            drawn = [line.split()[0] for line in
                     city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]["exam_scores"].splitlines()]
            complete(city, "exam", dict(SATISFACTION, exam_scores="\n".join(f"{n} 90" for n in drawn)), case_id)
            assert confirm_publicity(city, case_id)
            # 100 − 2 (第6项 agreed 3 of 5) − 2 (抽考 90% of 20 = 18) − 0.5 (满意度 9.5) = 95.5
            assert _entry(a).final_score == 95.5
    finally:
        settings["panel_mode"] = "mean"


def test_the_round_chooses_consensus_and_an_unknown_mode_is_refused(api_as):
    """The official opening a round may choose the panel's scoring (mean or the lead's consensus); the choice
    goes to every case of the round, and a mode that does not exist is refused with the field named."""
    from models import AuditEvent
    with freeze_time("2026-09-01 09:00:00+08:00"):
        _, a = registered_agency(api_as, n=1)
        city = api_as("city_official")
        form = {"scheme": "linyi", "year": "2026", "self_assessment_ends_on": "2026-09-10",
                "inspection_ends_on": "2026-09-25", "classification_ends_on": "2026-10-31", "agency_ids": [str(a.id)]}
        res = city.client.post("/grading/rounds", headers=city._h(), data=dict(form, panel_mode="vote"))
        assert res.status_code == 422 and "评分方式应为" in res.get_data(as_text=True)
        res = city.client.post("/grading/rounds", headers=city._h(), data=dict(form, year="二〇二六"))
        assert res.status_code == 422 and "请填写评定年度" in res.get_data(as_text=True)
        assert db.session.query(GradingEntry).count() == 0
        res = city.client.post("/grading/rounds", headers=city._h(), data=dict(form, panel_mode="consensus"))
        assert res.status_code == 302
        overview = city.client.get(res.headers["Location"], headers=city._h()).get_data(as_text=True)
        assert "评估小组评分方式：评估小组组长录入合议分" in overview
        assert city.get(f"/api/cases/{_entry(a).case_id}").get_json()["data"]["panel_mode"] == "consensus"
        opened = db.session.query(AuditEvent).filter_by(action="grading_round_opened").one()
        assert '"panel_mode": "consensus"' in opened.detail


def test_failed_staff_are_kept_out_of_the_expert_pool(api_as):
    """[LY22] 五、六(三): a person who failed the staff exam may not serve, and is not chosen as an expert for
    any agency (matched by their agency and the name on the exam roster)."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, experts = _examined_agency(api_as, exam_scores={0: 55})
        failed = _entry(a).failed_staff[0]
        barred = api_as("expert", agency_id=a.id, name=failed)
        c_api, c = registered_agency(api_as, n=3)
        city = _open_round(api_as, [c])
        complete(c_api, "self_assessment", SELF)
        task = task_of(city, "form_panel", _entry(c).case_id)
        choices = city.get(f"/api/tasks/{task['id']}").get_json()["form_schema"]["properties"]["panel"]["x-choices"]
        assert barred.user.id not in [c["value"] for c in choices] and experts[0].user.id in [c["value"] for c in choices]
        res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": {"panel": [barred.user.id, experts[0].user.id], "lead": experts[0].user.id}})
        assert res.status_code == 422 and f"{failed}（技术人员抽考不合格）" in res.get_json()["errors"]["panel"][0]


def test_cases_on_the_first_grading_diagram_still_score(api_as):
    """An installation upgraded from the first grading diagram (no self-score or panel-summary steps) keeps
    running it: the services summarise the panel themselves and the score is the same."""
    from pathlib import Path

    from models import Case
    from workflows.deploy import deploy_version
    with freeze_time("2026-09-01 09:00:00+08:00"):
        old = (Path(__file__).parent / "fixtures" / "grading_v1.bpmn").read_bytes()
        deploy_version("grading", old, {"linyi_grade": (Path("bpmn") / "linyi_grade.dmn").read_bytes()},
                       reason="升级前的流程")
        db.session.commit()
        a, _ = _examined_agency(api_as, exam_scores={})
        entry = _entry(a)
        version = db.session.get(Case, entry.case_id).process_version
        assert version.version == 2 and "panel_summary" not in version.bpmn_xml
        assert entry.phase == "publicity" and entry.final_score == 97.5 and entry.grade == "优秀"


def test_satisfaction_forms_rated_item_by_item_are_averaged(api_as):
    """[LY22] 附件4 评议表: 合规执业、服务质量、规范收费、职业道德、公平竞争, 2 points each; a form may be entered
    item by item (“2/2/1.5/2/2” = 9.5) or as its total; the forms are averaged to 第20项's 10 points."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a_api, a = registered_agency(api_as, n=1)
        experts = [api_as("expert", name="评议甲"), api_as("expert", name="评议乙")]
        city = _open_round(api_as, [a])
        complete(a_api, "self_assessment", SELF)
        complete(city, "form_panel", {"panel": [e.user.id for e in experts], "lead": experts[0].user.id}, _entry(a).case_id)
        for expert in experts:
            task = next(t for t in expert.get("/api/inbox?scope=mine").get_json()["items"])
            assert expert.post(f"/api/tasks/{task['id']}/complete", json={"data": {}}).status_code == 200
        complete(city, "exam_roster", ROSTER)
        task = task_of(city, "exam")
        drawn = [line.split()[0] for line in city.get(f"/api/tasks/{task['id']}").get_json()["prefill"]["exam_scores"]
                 .splitlines()]
        exam = "\n".join(f"{n} 90" for n in drawn)
        for bad, message in (("2/2/2", "逐项打分应为5项"), ("2/2/3/2/2", "逐项打分超出该项分值"), ("11", "0–10")):
            res = city.post(f"/api/tasks/{task['id']}/complete", json={"data": {"exam_scores": exam, "satisfaction": bad}})
            assert res.status_code == 422 and message in res.get_json()["errors"]["satisfaction"][0], bad
        complete(city, "exam", {"exam_scores": exam, "satisfaction": "2/2/1.5/2/2\n9"})
        assert confirm_publicity(city, _entry(a).case_id)
        # 100 − 2 (抽考 18 of 20) − 0.75 (满意度 mean of 9.5 and 9 = 9.25) = 97.25
        assert _entry(a).final_score == 97.25
