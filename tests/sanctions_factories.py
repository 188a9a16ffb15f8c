"""Test helpers for the sanction processes: a registered agency through the real registration process."""
from models import Agency, db
from tests.test_registration import review_task, submit

COUNTY = "140502"


def registered_agency(api_as, n: int = 1, county: str = COUNTY):
    """Register an agency end to end; returns (agency API client, Agency row)."""
    agency = api_as("agency")
    official = api_as("county_official", unit=county)
    case_id = submit(agency, county=county, n=n)
    task = review_task(official, case_id)
    assert official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}}).status_code == 200
    row = db.session.query(Agency).filter_by(registration_case_id=case_id).one()
    db.session.expunge(row)  # requests use fresh sessions; keep the loaded values
    agency.user.agency_id = row.id
    return agency, row


def task_of(api, name: str, case_id: int | None = None) -> dict:
    """The open task `name` in the user's inbox (optionally of one case)."""
    items = api.get("/api/inbox").get_json()["items"]
    found = [t for t in items if t["name"] == name and (case_id is None or t["case_id"] == case_id)]
    assert found, (name, items)
    return found[0]


def complete(api, name: str, data: dict, case_id: int | None = None, status: int = 200):
    res = api.post(f"/api/tasks/{task_of(api, name, case_id)['id']}/complete", json={"data": data})
    assert res.status_code == status, res.get_json()
    return res.get_json()
