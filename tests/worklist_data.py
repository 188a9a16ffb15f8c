"""Many inbox rows fast: clone one engine-made case and its open task in bulk (without the workflow JSON)."""
import uuid
from datetime import timedelta

from sqlalchemy import func, insert, select

from models import Case, OpenTask, db
from workflows import clock


def clone_tasks(case_id: int, n: int, *, unit: str, assignee_ids: tuple = (), other_unit: str | None = None,
                overdue_every: int = 7) -> list[dict]:
    """n copies of the case (numbered 140500-2026-XX-<case id>) each with one open task like the case's own; returns the tasks.

    Task i: claimed by assignee_ids[i % len] for every third task when given; every `overdue_every`-th is
    past due; every tenth belongs to `other_unit` when given; titles alternate 材料审核 / 现场核查.
    """
    case = db.session.get(Case, case_id)
    [task] = db.session.execute(select(OpenTask).where(OpenTask.case_id == case_id)).scalars()
    first = db.session.execute(select(func.max(Case.id))).scalar_one() + 1
    now = clock.now().replace(microsecond=0)
    cases, tasks = [], []
    for i in range(n):
        cid = first + i
        cases.append({"id": cid, "process_key": case.process_key, "process_version_id": case.process_version_id,
                      "title": f"克隆案件{i:05d}", "status": "running", "agency_id": case.agency_id,
                      "credit_code": f"91140500MA0{cid:07d}", "unit_code": unit, "started_by_id": case.started_by_id,
                      "started_at": now - timedelta(minutes=i), "updated_at": now - timedelta(minutes=i),
                      "version": 1, "workflow_json": "{}", "number": f"140500-2026-XX-{cid:06d}"})
        claimed = assignee_ids and i % 3 == 0
        tasks.append({"id": str(uuid.uuid4()), "case_id": cid, "process_key": task.process_key,
                      "bpmn_id": task.bpmn_id, "title": "材料审核" if i % 2 else "现场核查", "role": task.role,
                      "unit_code": other_unit if other_unit and i % 10 == 9 else unit, "agency_id": task.agency_id,
                      "form_key": task.form_key,
                      "assignee_id": assignee_ids[i % len(assignee_ids)] if claimed else None,
                      "claimed_at": now if claimed else None,
                      "created_at": now - timedelta(minutes=i),
                      "due_at": now - timedelta(days=1) if i % overdue_every == 0 else now + timedelta(hours=n - i),
                      "due_provisional": False})
    db.session.execute(insert(Case), cases)
    db.session.execute(insert(OpenTask), tasks)
    db.session.commit()
    return tasks
