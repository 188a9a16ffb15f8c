"""Cases running on the diagrams before the sign-off steps keep running on their own version (workflows/deploy.py):
a blacklist case started without 审批列入告知书, a grading case without the publicity/final confirmations."""
from pathlib import Path
from types import SimpleNamespace

from freezegun import freeze_time

from models import Case, Document, db
from tests.grading_factories import entry_of
from tests.sanctions_factories import complete, registered_agency, task_of
from workflows.deploy import deploy_version

FIXTURES = Path(__file__).parent / "fixtures"


def _deploy(process: str, path: Path, dmn: dict | None = None):
    version = deploy_version(process, path.read_bytes(), dmn or {}, reason="测试：流程版本")
    db.session.commit()
    return SimpleNamespace(id=version.id, version=version.version)


def test_a_blacklist_case_on_the_diagram_without_notice_approval_still_runs(api_as):
    """Started on the old version (notice served on submission), it goes on after the new version is deployed."""
    from tests.test_blacklist import INVESTIGATION
    with freeze_time("2026-11-23 09:00:00+08:00"):
        old = _deploy("blacklist", FIXTURES / "blacklist_v1.bpmn")
        agency_api, agency_row = registered_agency(api_as)
        city, leader = api_as("city_official"), api_as("leader")
        res = city.post("/api/cases", json={"process": "blacklist", "data": dict(INVESTIGATION, agency_id=agency_row.id)})
        case_id = res.get_json()["id"]
        assert db.session.get(Case, case_id).process_version_id == old.id
        new = _deploy("blacklist", Path("bpmn") / "blacklist.bpmn")
        assert new.version == old.version + 1
        assert db.session.query(Document).filter_by(case_id=case_id, kind="blacklist_notice").count() == 1
        complete(agency_api, "file_defence", {"statement": "无异议"}, case_id)
        complete(city, "review_defence", {"decision": "list", "opinion": "事实清楚"}, case_id)
        task = task_of(leader, "decide", case_id)
        assert "无异议" in leader.get(f"/tasks/{task['id']}").get_data(as_text=True)
        complete(leader, "decide", {"decision": "list", "decision_no": "晋市应急失信〔2026〕9号"}, case_id)
        assert db.session.get(Case, case_id).process_version_id == old.id


def test_a_grading_case_on_the_diagram_without_confirmations_still_publishes(api_as):
    """Started on the previous grading diagram, the case reaches publicity without the new confirmation step."""
    from tests.test_grading import _examined_agency
    dmn = {"linyi_grade": (Path("bpmn") / "linyi_grade.dmn").read_bytes()}
    with freeze_time("2026-09-01 09:00:00+08:00"):
        old = _deploy("grading", FIXTURES / "grading_v2.bpmn", dmn)
        a, _ = _examined_agency(api_as, exam_scores={})
        _deploy("grading", Path("bpmn") / "grading.bpmn", dmn)
        entry = entry_of(a)
        assert db.session.get(Case, entry.case_id).process_version_id == old.id
        assert entry.phase == "publicity" and entry.grade == "优秀"
