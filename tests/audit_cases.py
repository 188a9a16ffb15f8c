"""Cases with a history worth auditing, built through the API (shared by the auditor tests)."""
from tests.test_registration import COUNTY, review_task, submit

OPINION = "营业执照复印件不清晰，请补正"


def returned_case(agency, official, n: int = 1) -> int:
    """A registration returned for correction with an opinion (the agency now has the correction task)."""
    case_id = submit(agency, n=n)
    task = review_task(official, case_id)
    assert official.post(f"/api/tasks/{task['id']}/claim").status_code == 200
    res = official.post(f"/api/tasks/{task['id']}/complete",
                        json={"data": {"decision": "return", "opinion": OPINION}})
    assert res.status_code == 200, res.get_json()
    return case_id


def corrected_and_approved(agency, official, case_id: int, new_name: str) -> None:
    """The agency corrects the name; the county approves."""
    [back] = [t for t in agency.get("/api/inbox").get_json()["items"] if t["case_id"] == case_id]
    prefill = agency.get(f"/api/tasks/{back['id']}").get_json()["prefill"]
    res = agency.post(f"/api/tasks/{back['id']}/complete", json={"data": dict(prefill, name=new_name)})
    assert res.status_code == 200, res.get_json()
    task = review_task(official, case_id)
    res = official.post(f"/api/tasks/{task['id']}/complete", json={"data": {"decision": "approve"}})
    assert res.status_code == 200, res.get_json()


def approved_case(api_as, n: int = 1, new_name: str = "晋城市安泰安全技术服务有限公司（补正）"):
    """(case id, agency api, official api) of a registration returned once, corrected and approved."""
    agency = api_as("agency")
    official = api_as("county_official", unit=COUNTY, name=f"审核员{n}")
    case_id = returned_case(agency, official, n)
    corrected_and_approved(agency, official, case_id, new_name)
    return case_id, agency, official
