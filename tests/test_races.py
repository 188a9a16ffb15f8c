"""Races between officials: one winner, a 409 naming who was first (issue 10: claim vs complete)."""
import threading

from models import AuditEvent, db
from tests.test_registration import review_task, submit

COUNTY = "140502"


def _race(app, calls):
    """Run (method, url, json, token) calls at the same moment; return their (status, body) in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def act(i, url, body, token):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            res = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
            results[i] = (res.status_code, res.get_json())
            db.session.remove()

    threads = [threading.Thread(target=act, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_claim_against_completion_never_both_succeed(app, api_as):
    """One official claims while another completes the same unclaimed task: exactly one of them wins."""
    app.config["RETURN_TO_SAME_REVIEWER"] = False  # every round's review goes back to the unit's queue
    agency = api_as("agency")
    claimer = api_as("county_official", unit=COUNTY, name="审核员1")
    completer = api_as("county_official", unit=COUNTY, name="审核员1B")
    case_id = submit(agency)
    outcomes = []
    for _ in range(12):
        task = review_task(claimer, case_id)
        claim, complete = _race(app, [
            (f"/api/tasks/{task['id']}/claim", None, claimer.token),
            (f"/api/tasks/{task['id']}/complete",
             {"data": {"decision": "return", "opinion": "请补充材料"}}, completer.token)])
        assert sorted([claim[0], complete[0]]) == [200, 409], (claim, complete)
        loser = claim if claim[0] == 409 else complete
        winner_name = "审核员1B" if complete[0] == 200 else "审核员1"
        assert winner_name in loser[1]["message"], loser
        outcomes.append(complete[0])
        if complete[0] == 409:  # the claimer now holds it and returns it for correction
            res = claimer.post(f"/api/tasks/{task['id']}/complete",
                               json={"data": {"decision": "return", "opinion": "请补充材料"}})
            assert res.status_code == 200, res.get_json()
        [back] = agency.get("/api/inbox").get_json()["items"]
        detail = agency.get(f"/api/tasks/{back['id']}").get_json()
        assert agency.post(f"/api/tasks/{back['id']}/complete", json={"data": detail["prefill"]}).status_code == 200
    # the trail never says "claimed by one, completed by the other" for the same task
    events = db.session.query(AuditEvent).filter(AuditEvent.case_id == case_id,
                                                 AuditEvent.action.in_(("task_claimed", "task_completed"))).all()
    by_task: dict = {}
    for e in events:
        by_task.setdefault(e.task_id, {})[e.action] = e.actor_name
    for acts in by_task.values():
        if "task_claimed" in acts and "task_completed" in acts:
            assert acts["task_claimed"] == acts["task_completed"], acts
