"""Helpers for grading-round tests (临沂 `grading`, 嘉兴 `star_rating`): payloads built from the sheets themselves."""
from handlers._grading_forms import expert_items, slug
from models import GradingEntry, db

LINYI, JIAXING = "linyi/grading_sheet", "jiaxing/star_sheet"


def self_payload(sheet_name: str, summary: str = "2021年以来开展安全评价项目42项", **overrides) -> dict:
    """A complete self-assessment: every item at its maximum unless overridden (`self_1_2=3`)."""
    data = {"summary": summary}
    for item in expert_items(sheet_name):
        data[f"self_{slug(item.code)}"] = float(item.max)
        data[f"self_note_{slug(item.code)}"] = ""
    if sheet_name == LINYI:
        data.update(statutory_projects="", hazard_list="")
    data.update(overrides)
    return data


def open_round(api_as, agencies, scheme: str = "linyi", year: str = "2026", dates=("2026-09-10", "2026-09-25",
                                                                               "2026-10-31"), status: int = 302):
    city = api_as("city_official")
    res = city.client.post("/grading/rounds", headers=city._h(), data={
        "scheme": scheme, "year": year, "self_assessment_ends_on": dates[0], "inspection_ends_on": dates[1],
        "classification_ends_on": dates[2], "agency_ids": [str(a.id) for a in agencies]})
    assert res.status_code == status, res.get_data(as_text=True)[:500]
    return city if status == 302 else res


def entry_of(agency_row) -> GradingEntry:
    db.session.expire_all()
    return db.session.query(GradingEntry).filter_by(agency_id=agency_row.id).order_by(GradingEntry.id.desc()).first()


def confirm_publicity(city, case_id: int) -> bool:
    """The official checks the line to be published and publishes it (cases on older diagrams have no such step)."""
    items = [t for t in city.get("/api/inbox").get_json()["items"]
             if t["name"] == "confirm_publicity" and t["case_id"] == case_id]
    if not items:
        return False
    res = city.post(f"/api/tasks/{items[0]['id']}/complete", json={"data": {"publish_decision": "publish"}})
    assert res.status_code == 200, res.get_json()
    return True


def confirm_final(city, case_id: int) -> None:
    """Publicity over: the official confirms the line that goes on the final list."""
    items = [t for t in city.get("/api/inbox").get_json()["items"]
             if t["name"] == "confirm_final" and t["case_id"] == case_id]
    assert items, "no confirm_final task"
    res = city.post(f"/api/tasks/{items[0]['id']}/complete", json={"data": {"confirmed": True}})
    assert res.status_code == 200, res.get_json()
