"""Objections are decided seeing the objection in full; the agency sees the substance, never the objector
(issue 9; [LY22] 四(三)); the objector follows the objection with the 受理编号 on the public site."""
import io
import re

from freezegun import freeze_time

from models import Objection, db
from tests.factories import PDF
from tests.grading_factories import entry_of
from tests.sanctions_factories import complete, task_of
from tests.test_grading import _examined_agency

TEXT = "该机构2026年有项目人员未到现场"


def _objected(api_as, client):
    """An agency in publicity with a named objection carrying a contact and a PDF."""
    a, _experts = _examined_agency(api_as, exam_scores={})
    res = client.post("/public/grading/objections", data={
        "entry_id": str(entry_of(a).id), "text": TEXT, "name": "王举报", "contact": "13900001111",
        "file": (io.BytesIO(PDF), "现场照片.pdf")}, content_type="multipart/form-data")
    assert res.status_code == 302
    objection = db.session.query(Objection).one()
    db.session.expunge(objection)
    return a, objection


def test_the_city_decides_seeing_the_objection_text_objector_and_file(api_as, client):
    """处理公示异议 shows the text, the objector, the contact and the evidence at the top of the task."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, objection = _objected(api_as, client)
        city = api_as("city_official")
        task = task_of(city, "handle_objection", entry_of(a).case_id)
        page = city.get(f"/tasks/{task['id']}").get_data(as_text=True)
        head = page.split("处理意见")[0]
        assert TEXT in head and "王举报" in head and "13900001111" in head and "现场照片.pdf" in head
        assert f"/documents/{objection.document_id}" in head


def test_the_agency_sees_the_substance_but_not_who_objected(api_as, client):
    """Case page, timeline, history API: no objector name or contact; the objector's file answers 403."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, objection = _objected(api_as, client)
        agency = api_as("agency", agency_id=a.id)
        case_id = entry_of(a).case_id
        page = agency.get(f"/cases/{case_id}").get_data(as_text=True)
        task = task_of(api_as("city_official"), "handle_objection", case_id)
        task_page = agency.get(f"/tasks/{task['id']}").get_data(as_text=True)
        assert TEXT in task_page  # the substance
        page += task_page
        for secret in ("王举报", "13900001111", "现场照片.pdf"):
            assert secret not in page
        history = agency.get(f"/api/cases/{case_id}/history").get_data(as_text=True)
        for secret in ("王举报", "13900001111", "现场照片"):
            assert secret not in history
        assert agency.get(f"/documents/{objection.document_id}").status_code == 403
        assert agency.get(f"/api/documents/{objection.document_id}").status_code == 403
        city = api_as("city_official")
        assert "王举报" in city.get(f"/cases/{case_id}").get_data(as_text=True)
        assert city.get(f"/documents/{objection.document_id}").status_code == 200


def test_the_objector_looks_up_status_and_reply_by_tracking_code(api_as, client):
    """受理编号 → status and the recorded reply; a wrong code → 未找到, nothing revealed."""
    with freeze_time("2026-09-01 09:00:00+08:00"):
        a, objection = _objected(api_as, client)
        code = objection.tracking_code
        page = client.get(f"/public/grading/objections/lookup?code={code}").get_data(as_text=True)
        assert "已收到，正在核查" in page and a.name in page
        city = api_as("city_official")
        complete(city, "handle_objection", {"decision": "dismiss", "reply": "经核查，项目人员均到现场"},
                 entry_of(a).case_id)
        page = client.get(f"/public/grading/objections/lookup?code={code.lower()}").get_data(as_text=True)
        assert "异议不成立" in page and "经核查，项目人员均到现场" in page
        wrong = client.get("/public/grading/objections/lookup?code=00000000")
        body = wrong.get_data(as_text=True)
        assert wrong.status_code == 404 and "未找到" in body
        assert a.name not in body and TEXT not in body
        assert not re.search(r"[A-Za-z_]+_[a-z]+", body.split("<main")[-1].split("</main>")[0] if "<main" in body else "")
