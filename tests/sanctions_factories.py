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


def api_maker(app):
    """`api_as` for an app built inside a test (e.g. another deployment city): users logged in through the API."""
    from tests.factories import PASSWORD, Api
    from workflows.people import create_user
    client, counter = app.test_client(), iter(range(1, 1000))

    def api_as(role, unit=None, agency_id=None, name=None):
        user = create_user(name or f"{role}{next(counter)}", PASSWORD, role=role, unit_code=unit, agency_id=agency_id)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        token = client.post("/api/tokens", json={"username": user.username, "password": PASSWORD}).get_json()["token"]
        return Api(client, token, user)
    return client, api_as


def insert_agency(name: str, credit_code: str, county: str, **over) -> Agency:
    """A registered agency row for browser/fixture set-ups (the registration process itself is tested over HTTP)."""
    from workflows.clock import now
    defaults = {"legal_representative": "张", "contact_person": "李", "contact_phone": "13800138000",
                "email": "a@b.cn", "address": "机构地址", "staff_count": 4, "service_categories": ["安全评估评价"],
                "business_scope": "评价", "status": "registered", "registered_on": now().date(), "created_at": now()}
    agency = Agency(name=name, credit_code=credit_code, county_code=county, **{**defaults, **over})
    db.session.add(agency)
    db.session.flush()
    return agency
