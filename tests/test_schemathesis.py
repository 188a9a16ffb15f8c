"""Schemathesis against /api/openapi.json (issue 10): generated valid and invalid requests over several roles.

About 1,000 requests, derandomized (same inputs every run): no 5xx, every status documented, every
response as the document says, every 4xx a JSON error body `{error, message}` in Chinese. Not run here:
positive_data_acceptance (business rules answer 422 to schema-valid input, e.g. an unknown process key or
a BPMN draft with problems), negative_data_rejection (it takes unknown query parameters as invalid input;
well-typed-but-wrong values are covered by the documented constraints and tests/test_bad_input.py),
unsupported_method (405 is another issue's) and the stateful checks.
"""
import re

import schemathesis
from flask import g
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from models import Document, OpenTask, db
from tests.test_registration import COUNTY, submit

ROLES = ["anonymous", "agency", "county_official", "city_official", "leader", "expert", "auditor", "admin",
         "process_owner"]
EXAMPLES = 18  # per operation and generation mode: 29 operations × 2 modes × 18 ≈ 1,000 requests
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _known_ids(api_as, owner) -> dict:
    """Ids of real objects, so that generated requests also reach past the 404s."""
    case_id = submit(api_as("agency"))
    draft = owner.post("/api/processes/registration/drafts", json={"bpmn": "<x/>"}).get_json()
    return {"case_id": case_id, "doc_id": db.session.query(Document.id).filter_by(case_id=case_id).limit(1).scalar(),
            "task_id": db.session.query(OpenTask.id).filter_by(case_id=case_id).scalar(), "key": "registration",
            "number": 1, "draft_id": draft["id"]}


def _strategy(operation, mode, known: dict):
    """Generated cases; half of the positive ones aim at the real objects' ids."""
    generated = operation.as_strategy(mode)
    path_names = {p.name for p in operation.path_parameters}
    fixed = {k: v for k, v in known.items() if k in path_names}
    if not fixed or mode is not schemathesis.GenerationMode.POSITIVE:
        return generated
    return st.one_of(generated, operation.as_strategy(mode, path_parameters=fixed))


def _error_body_problem(response) -> str | None:
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return "4xx without a JSON body"
    if not (isinstance(body, dict) and body.get("error") and CJK.search(str(body.get("message", "")))):
        return f"4xx body is not {{error, message in Chinese}}: {body}"
    return None


def _fuzz(operation, mode, strategy, users: dict, failures: list) -> int:
    """Send EXAMPLES generated requests of one operation and mode; failures are collected, not raised."""
    sent = [0]

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=strategy, role=st.sampled_from(ROLES))
    def run(case, role):
        user = users[role]
        headers = {"Authorization": f"Bearer {user.token}"} if user else {}
        sent[0] += 1
        g.pop("_login_user", None)  # like tests/conftest.py FreshContextClient: no login carried over
        db.session.remove()
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as err:
            failures.append((operation.label, mode.value, role, str(err)[:800]))
            return
        problem = _error_body_problem(response)
        if problem:
            failures.append((operation.label, mode.value, role, problem))

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid request exists for an operation without inputs
        pass
    db.session.rollback()
    return sent[0]


def test_api_conforms_to_its_openapi_document(app, api_as):
    """Generated requests as 9 roles: no 5xx, documented statuses and bodies, JSON errors in Chinese."""
    users = {"anonymous": None, "county_official": api_as("county_official", unit=COUNTY)}
    users.update({role: api_as(role) for role in ROLES if role not in users})
    known = _known_ids(api_as, users["process_owner"])
    app.config["TESTING"] = False  # an exception is answered as the 500 a client would see, then reported
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures, sent = [], 0
    operations = [result.ok() for result in schema.get_all_operations()]
    # revoking the caller's token or disabling the fuzzing accounts goes last
    operations.sort(key=lambda op: op.path.endswith("/disable") or op.path.endswith("/tokens/current"))
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            sent += _fuzz(operation, mode, _strategy(operation, mode, known), users, failures)
    assert not failures, "\n\n".join(" | ".join(f) for f in failures[:20])
    assert sent >= 900, sent
