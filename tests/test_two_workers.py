"""Two web worker processes on one database (issue 10): claims racing completions through different
processes have exactly one winner, the loser a 409 naming who was first; the audit chain stays whole."""
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from models import db
from tests.test_registration import review_task, submit
from workflows.audit import verify_chain

COUNTY = "140502"
SERVER = """
import sys
from app import create_app
from waitress import serve
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "test-secret", "AUDIT_HEAD_PATH": sys.argv[2],
                  "RETURN_TO_SAME_REVIEWER": False})
serve(app, host="127.0.0.1", port=int(sys.argv[3]), threads=4, _quiet=True)
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.fixture
def workers(app):
    """Two waitress processes serving the test's database."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    ports, procs = [_port(), _port()], []
    for port in ports:
        procs.append(subprocess.Popen([sys.executable, "-c", SERVER, uri, app.config["AUDIT_HEAD_PATH"], str(port)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    yield [f"http://127.0.0.1:{p}" for p in ports]
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def test_claim_and_complete_through_two_worker_processes_have_one_winner(app, api_as, workers):
    app.config["RETURN_TO_SAME_REVIEWER"] = False  # each round's review goes back to the unit's queue
    agency = api_as("agency")
    claimer = api_as("county_official", unit=COUNTY, name="一号审核员")
    completer = api_as("county_official", unit=COUNTY, name="二号审核员")
    case_id = submit(agency)
    a, b = workers
    for round_no in range(8):
        task = review_task(claimer, case_id)
        barrier, out = threading.Barrier(2), {}

        def act(name, url, token, body, barrier=barrier, out=out):
            barrier.wait()
            out[name] = _post(url, token, body)

        threads = [threading.Thread(target=act, args=("claim", f"{a}/api/tasks/{task['id']}/claim", claimer.token, None)),
                   threading.Thread(target=act, args=("complete", f"{b}/api/tasks/{task['id']}/complete", completer.token,
                                                      {"data": {"decision": "return", "opinion": "请补正"}}))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted([out["claim"][0], out["complete"][0]])
        assert codes == [200, 409], (round_no, out)
        loser = out["claim"] if out["claim"][0] == 409 else out["complete"]
        assert ("二号审核员" if out["complete"][0] == 200 else "一号审核员") in loser[1]["message"]
        if out["complete"][0] == 409:
            status, body = _post(f"{a}/api/tasks/{task['id']}/complete", claimer.token,
                                 {"data": {"decision": "return", "opinion": "请补正"}})
            assert status == 200, body
        db.session.remove()
        [back] = agency.get("/api/inbox").get_json()["items"]
        detail = agency.get(f"/api/tasks/{back['id']}").get_json()
        assert agency.post(f"/api/tasks/{back['id']}/complete", json={"data": detail["prefill"]}).status_code == 200
    db.session.remove()
    assert verify_chain().ok
