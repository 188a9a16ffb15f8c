"""Browser: an expert scores an item of the 附件1 sheet; the public publicity page with an objection filed."""
from datetime import date

import pytest
from freezegun import freeze_time

from models import GradingEntry, Objection, OpenTask, db
from tests.browser.conftest import login
from tests.factories import PASSWORD, PDF
from tests.grading_factories import LINYI, self_payload

pytestmark = pytest.mark.browser


def _round_at_expert_scoring(app):
    """An agency in a round whose panel is formed: the first expert's task is open."""
    from tests.sanctions_factories import insert_agency
    from workflows.grading import open_round
    from workflows.people import create_user
    from workflows.tasks import complete_task
    with app.app_context():
        agency = insert_agency("临沂浏览器评定测试有限公司", "91140500MA0000004L", "140502")
        city = create_user("pingding", PASSWORD, role="city_official", display_name="评定组")
        clerk = create_user("jigou_pd", PASSWORD, role="agency", display_name="机构经办人")
        experts = [create_user(f"zhuanjia{i}", PASSWORD, role="expert", display_name=f"专家{i}") for i in (1, 2)]
        db.session.flush()
        clerk.agency_id = agency.id
        open_round(city, scheme="linyi", year=2030, self_assessment_ends_on=date(2030, 12, 20),
                   inspection_ends_on=date(2030, 12, 25), classification_ends_on=date(2030, 12, 31),
                   agency_ids=[agency.id])
        db.session.commit()
        task = db.session.query(OpenTask).filter_by(bpmn_id="self_assessment").one()
        complete_task(clerk, task.id, self_payload(LINYI, summary="总结", self_1_2=2))
        db.session.commit()
        task = db.session.query(OpenTask).filter_by(bpmn_id="form_panel").one()
        complete_task(city, task.id, {"panel": [e.id for e in experts], "lead": experts[0].id})
        db.session.commit()
        return agency.id


def test_expert_scores_an_item(live_app, page):
    """The expert finds the task in their own inbox, records one finding on the sheet, and submits."""
    with freeze_time("2030-12-01 09:00:00+08:00", tick=True):
        _round_at_expert_scoring(live_app)
        base = live_app.config["LIVE_URL"]
        login(page, base, "zhuanjia1", PASSWORD)
        page.click("text=专家检查评估")
        page.wait_for_selector("h2:has-text('专家检查评估（附件1检查表）')")
        assert "一次人员不到现场" in page.inner_text("form.task-form")
        page.fill("#f_item_2_1_2", "2")
        page.click("form.task-form button[type=submit]")
        page.wait_for_selector("text=已办理")
    with live_app.app_context():
        task = db.session.query(OpenTask).filter_by(bpmn_id="expert_scoring").one()
        assert task.assignee.username == "zhuanjia2"  # the sheet moves on to the second expert


def _in_publicity(app) -> None:
    """Experts score, the staff exam is entered and the official confirms publicity: the agency is in publicity."""
    from models import User
    from workflows.tasks import complete_task
    _round_at_expert_scoring(app)
    with app.app_context():
        for name in ("zhuanjia1", "zhuanjia2"):
            expert = db.session.query(User).filter_by(username=name).one()
            task = db.session.query(OpenTask).filter_by(bpmn_id="expert_scoring").one()
            complete_task(expert, task.id, {})
            db.session.commit()
        city = db.session.query(User).filter_by(username="pingding").one()
        task = db.session.query(OpenTask).filter_by(bpmn_id="exam_roster").one()
        complete_task(city, task.id, {"staff_roster": "张一\n李二"})
        db.session.commit()
        task = db.session.query(OpenTask).filter_by(bpmn_id="exam").one()
        from workflows.engine import get_task, load_workflow
        wf = load_workflow(task.case.workflow_json, task.case.process_version)
        drawn = get_task(wf, task.id).data["sample"]["drawn"]
        complete_task(city, task.id, {"exam_scores": "\n".join(f"{n} 85" for n in drawn), "satisfaction": "9"})
        db.session.commit()
        task = db.session.query(OpenTask).filter_by(bpmn_id="confirm_publicity").one()
        complete_task(city, task.id, {"publish_decision": "publish"})
        db.session.commit()


def _file_objection(page, base: str, evidence, name: str = "", contact: str = "") -> str:
    """File an objection on the public page; returns the 受理编号 shown."""
    page.goto(f"{base}/public/directory")
    page.click("header >> text=评定公示")
    page.wait_for_selector("h1:has-text('评定结果公示')")
    assert "临沂浏览器评定测试有限公司" in page.inner_text("table") and "24:00" in page.inner_text("table")
    page.fill("#text", "该机构部分项目负责人未到现场")
    page.fill("#name", name)
    page.fill("#contact", contact)
    page.set_input_files("#file", str(evidence))
    page.click("button:has-text('提交异议')")
    page.wait_for_selector("text=受理编号")
    import re
    return re.search(r"受理编号 ([0-9A-F]+)", page.inner_text("body")).group(1)


def _pdf(tmp_path):
    evidence = tmp_path / "证据.pdf"
    evidence.write_bytes(PDF)
    return evidence


def test_public_publicity_page_with_an_objection_filed(live_app, page, tmp_path):
    """Anyone files an objection (anonymous, with a PDF) on the publicity page and gets a tracking code."""
    with freeze_time("2030-12-02 09:00:00+08:00", tick=True):
        _in_publicity(live_app)
        base = live_app.config["LIVE_URL"]
        code = _file_objection(page, base, _pdf(tmp_path))
        page.goto(f"{base}/public/grading/objections/lookup")
        page.fill("#code", code)
        page.click("button:has-text('查询')")
        page.wait_for_selector("text=已收到，正在核查")
    with live_app.app_context():
        objection = db.session.query(Objection).one()
        assert objection.name is None and objection.document_id
        assert db.session.query(OpenTask).filter_by(bpmn_id="handle_objection").count() == 1
        assert db.session.query(GradingEntry).one().phase == "publicity"


def test_city_decides_the_objection_seeing_it_and_the_agency_never_sees_the_objector(live_app, page, tmp_path):
    """The city's 处理公示异议 shows the text, objector and contact at the top; the agency's case page shows none
    of the objector's identity and its file is refused (issue 9)."""
    from tests.browser.conftest import logout
    with freeze_time("2030-12-02 09:00:00+08:00", tick=True):
        _in_publicity(live_app)
        base = live_app.config["LIVE_URL"]
        _file_objection(page, base, _pdf(tmp_path), name="王举报", contact="13900001111")
        login(page, base, "pingding", PASSWORD)
        page.goto(f"{base}/inbox")
        page.click("text=处理公示异议")
        panel = page.inner_text("section.submission")
        assert "该机构部分项目负责人未到现场" in panel and "王举报" in panel and "13900001111" in panel
        assert "证据.pdf" in panel
        case_url = page.url
        logout(page)
        with live_app.app_context():
            objection = db.session.query(Objection).one()
            case_id, doc_id = objection.entry.case_id, objection.document_id
        login(page, base, "jigou_pd", PASSWORD)
        page.goto(f"{base}/cases/{case_id}")
        body = page.inner_text("main")
        assert "王举报" not in body and "13900001111" not in body and "证据.pdf" not in body
        page.goto(case_url)
        body = page.inner_text("main")
        assert "该机构部分项目负责人未到现场" in body and "王举报" not in body and "13900001111" not in body
        res = page.request.get(f"{base}/documents/{doc_id}")
        assert res.status == 403


def test_panel_lead_sees_the_disagreement_and_enters_the_consensus(live_app, page):
    """Consensus mode (sheet setting `panel_mode`): the lead's page shows every expert's score per item with the
    wide disagreement flagged; the lead changes the agreed score of that item and submits."""
    from models import User
    from rules.policy import shipped_sheet
    from workflows.tasks import complete_task
    settings = shipped_sheet(LINYI).settings
    settings["panel_mode"] = "consensus"
    try:
        with freeze_time("2030-12-03 09:00:00+08:00", tick=True):
            _round_at_expert_scoring(live_app)
            with live_app.app_context():
                for name, findings in (("zhuanjia1", {"item_2_1_2": 3}), ("zhuanjia2", {})):
                    expert = db.session.query(User).filter_by(username=name).one()
                    task = db.session.query(OpenTask).filter_by(bpmn_id="expert_scoring").one()
                    complete_task(expert, task.id, findings)
                    db.session.commit()
            base = live_app.config["LIVE_URL"]
            login(page, base, "zhuanjia1", PASSWORD)
            page.click("text=评估小组合议")
            page.wait_for_selector("h2:has-text('专家评分对照')")
            flagged = page.locator("section.score-table tr.flagged")
            assert flagged.count() == 1 and "从业人员与签名" in flagged.inner_text() and "分歧" in flagged.inner_text()
            assert "专家1" in page.inner_text("section.score-table thead")
            assert page.input_value("#f_agreed_2_1") == "3.5"
            page.fill("#f_agreed_2_1", "3")
            page.fill("#f_consensus_notes", "经合议认定两次人员不到现场")
            page.click("form.task-form button[type=submit]")
            page.wait_for_selector("text=已办理")
        with live_app.app_context():
            assert db.session.query(OpenTask).filter_by(bpmn_id="exam_roster").count() == 1
    finally:
        settings["panel_mode"] = "mean"
