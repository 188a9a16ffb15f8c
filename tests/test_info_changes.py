"""Change of agency information (信息变更) through the JSON API and the pages, with time moved.

Sources: [WJ] 第十四条 (update within 10个工作日 of a change); domain.md §8 (start day not counted; statutory
holidays skipped, 调休 make-up days counted): a change on 2026-09-25 has its 10th working day on 10-15 (国庆 and
中秋 skipped, 10-10 counted), so a filing on 10-16 — working day 11 — is late.
"""
from freezegun import freeze_time

from models import Agency, Case, InfoChange, db
from tests.factories import PDF
from tests.sanctions_factories import api_maker, complete, registered_agency, task_of

DISTRICT = "320412"


def wujin(tmp_path, _template_db):
    from tests.conftest import make_app
    return make_app(tmp_path, _template_db, ANFU_CITY="wujin")


def file_change(agency, data: dict, status: int = 200) -> int:
    """Open a change case, upload the evidence, submit the changed fields."""
    case = agency.post("/api/cases", json={"process": "info_change"}).get_json()
    [task] = case["open_tasks"]
    doc = agency.upload(case["id"], "change_evidence", PDF, "营业执照.pdf").get_json()["id"]
    res = agency.post(f"/api/tasks/{task['id']}/complete", json={"data": dict(data, change_evidence=doc)})
    assert res.status_code == status, res.get_json()
    return case["id"]


def test_change_on_working_day_11_across_national_day_is_late_and_history_is_kept(tmp_path, _template_db):
    """[WJ] 第十四条: changed 09-25, filed 10-16 (working day 11) → flagged late with the count; approval updates
    the directory and keeps the old name as history on the public entry and on the officials' agency page."""
    app = wujin(tmp_path, _template_db)
    with app.app_context():
        client, api_as = api_maker(app)
        with freeze_time("2026-09-20 10:00:00+08:00"):
            _, row = registered_agency(api_as, county=DISTRICT)
            old_name = row.name
        with freeze_time("2026-10-15 17:00:00+08:00"):
            on_time = file_change(api_as("agency", agency_id=row.id),
                                  {"changed_on": "2026-09-25", "contact_person": "王强", "reason": "人员调整"})
        with freeze_time("2026-10-16 09:00:00+08:00"):
            agency = api_as("agency", agency_id=row.id)
            late = file_change(agency, {"changed_on": "2026-09-25", "name": "常州新名称安全技术有限公司",
                                        "reason": "工商变更登记"})
            changes = {c.case_id: c for c in db.session.query(InfoChange)}
            assert changes[on_time].filed_late is False and changes[on_time].working_days_taken == 10
            assert changes[late].filed_late is True and changes[late].working_days_taken == 11
            assert changes[late].due_on.isoformat() == "2026-10-15" and "国庆节" in changes[late].due_note
            official = api_as("county_official", unit=DISTRICT)
            task = task_of(official, "review_change", late)
            page = client.get(f"/tasks/{task['id']}", headers=official._h()).get_data(as_text=True)
            assert "第 11 个工作日" in page and "逾期申报" in page
            complete(official, "review_change", {"change_decision": "reject"}, late, status=422)
            complete(official, "review_change", {"change_decision": "approve"}, late)
        agency_row = db.session.get(Agency, row.id)
        assert agency_row.name == "常州新名称安全技术有限公司"
        assert db.session.get(Case, late).outcome == "change_approved_late"
        public = client.get(f"/public/directory/{row.id}").get_data(as_text=True)
        assert "常州新名称安全技术有限公司" in public and old_name in public and "变更记录" in public
        listing = client.get("/public/directory").get_data(as_text=True)
        assert "常州新名称安全技术有限公司" in listing
        official = api_as("county_official", unit=DISTRICT)
        page = client.get(f"/agencies/{row.id}", headers=official._h()).get_data(as_text=True)
        assert old_name in page and "逾期申报" in page and "第 11 个工作日" in page
        db.engine.dispose()


def test_refused_change_leaves_the_agency_unchanged(api_as):
    """The county may refuse with a reason; nothing on the agency changes and no history is shown."""
    with freeze_time("2026-11-02 10:00:00+08:00"):
        agency, row = registered_agency(api_as)
        case_id = file_change(agency, {"changed_on": "2026-11-02", "address": "新地址路1号", "reason": "搬迁"})
        official = api_as("county_official", unit=row.county_code)
        complete(official, "review_change", {"change_decision": "reject", "change_opinion": "租赁合同未盖章"}, case_id)
        assert db.session.get(Agency, row.id).address == row.address
        assert db.session.query(InfoChange).one().status == "rejected"


def test_bad_change_is_refused_with_field_errors(api_as):
    """Nothing changed, a future date and no evidence are 422s naming the fields; nothing is saved."""
    with freeze_time("2026-11-02 10:00:00+08:00"):
        agency, row = registered_agency(api_as)
        case = agency.post("/api/cases", json={"process": "info_change"}).get_json()
        [task] = case["open_tasks"]
        res = agency.post(f"/api/tasks/{task['id']}/complete", json={"data": {
            "changed_on": "2026-11-09", "name": row.name, "reason": "无", "change_evidence": None}})
        assert res.status_code == 422
        errors = res.get_json()["errors"]
        assert "changed_on" in errors and "name" in errors and "change_evidence" in errors
        assert db.session.query(InfoChange).count() == 0
