"""Moving running cases to a newer version of their process, only where nothing already done has changed.

Policy (SpiffWorkflow docs, spiff-arena): a case can migrate when no task it has COMPLETED or STARTED was
changed or removed in the new version. Migration resets waiting tasks, so timers are recomputed; statutory
periods survive because our timers are `timeDate` expressions over an absolute deadline stored in task data.
"""
from SpiffWorkflow.bpmn.util.diff import diff_workflow, filter_tasks, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from models import Case, OpenTask, ProcessVersion, db

from . import audit
from .engine import REGISTRY, load_workflow, ready_user_tasks, specs_for
from .errors import InvalidInput
from .process_drafts import ensure_process_owner, get_version
from .runtime import CaseStep
from .version_diff import attribute_names, task_label

DONE = TaskState.COMPLETED | TaskState.STARTED


def _blockers(wf, target: ProcessVersion) -> tuple[list[str], list, dict]:
    """Why this workflow cannot move to target (empty if it can), plus the diffs to migrate with."""
    spec, subs = specs_for(target)
    top, sub_diffs = diff_workflow(REGISTRY, wf, spec, subs)
    reasons = []
    for diff in [top, *[d for d in sub_diffs.values() if d is not None]]:
        for task in filter_tasks(diff.changed + diff.removed, state=DONE):
            label = task_label(task.task_spec)
            state = "已办结" if task.state == TaskState.COMPLETED else "正在办理"
            if task in diff.removed:
                reasons.append(f"{state}的环节“{label['name']}”在新版本中已删除")
            else:
                parts = "、".join(attribute_names(_changes(diff, task)))
                reasons.append(f"{state}的环节“{label['name']}”在新版本中有改动（{parts}）")
    for sp_id, d in sub_diffs.items():
        if d is None:
            reasons.append(f"子流程 {wf.subprocesses[sp_id].spec.name} 在新版本中已不存在")
    return list(dict.fromkeys(reasons)), [top, sub_diffs], {"spec": spec, "subs": subs}


def _changes(diff, task) -> list[str]:
    """The serialized attributes of a task's spec that differ in its aligned new spec (as SpecDiff compares)."""
    new = diff.alignment.get(task)
    if new is None:
        return []
    before, after = REGISTRY.convert(task.task_spec), REGISTRY.convert(new)
    if before.get("typename") != after.get("typename"):
        return ["typename"]
    return [k for k, v in before.items() if after.get(k) != v]


def running_cases(process_key: str, target: ProcessVersion) -> list[Case]:
    """Running cases of a process on a version older than target."""
    return list(db.session.execute(
        select(Case).join(ProcessVersion, Case.process_version_id == ProcessVersion.id)
        .where(Case.process_key == process_key, Case.status == "running", ProcessVersion.version < target.version)
        .order_by(Case.id)).scalars())


def plan_migration(user, process_key: str, to_version: int) -> list[dict]:
    """Dry run: each running case of an older version, whether it can move to `to_version` and why."""
    ensure_process_owner(user)
    target = get_version(process_key, to_version)
    plan = []
    for case in running_cases(process_key, target):
        wf = load_workflow(case.workflow_json, case.process_version)
        reasons, _, _ = _blockers(wf, target)
        current = "、".join(t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in ready_user_tasks(wf)) or "—"
        plan.append({"case_id": case.id, "title": case.title, "from_version": case.process_version.version,
                     "to_version": target.version, "current_tasks": current, "migratable": not reasons,
                     "reasons": reasons or ["已办理的环节在新版本中均无改动，可以迁移"]})
    return plan


def migrate_cases(user, process_key: str, to_version: int, case_ids: list[int]) -> list[dict]:
    """Move the selected cases to `to_version`; each migration is audited, blocked cases are left as they are."""
    ensure_process_owner(user)
    target = get_version(process_key, to_version)
    eligible = {c.id: c for c in running_cases(process_key, target)}
    unknown = [i for i in case_ids if i not in eligible]
    if unknown or not case_ids:
        raise InvalidInput("所选案件不能迁移", {"case_ids": [
            "请至少选择一个案件" if not case_ids else
            f"案件 {', '.join(map(str, unknown))} 不是该流程较早版本上正在办理的案件"]})
    results = []
    for case_id in case_ids:
        results.append(_migrate_one(user, eligible[case_id], target))
    return results


def _migrate_one(user, case: Case, target: ProcessVersion) -> dict:
    step = CaseStep(case, user)
    reasons, (top, sub_diffs), specs = _blockers(step.wf, target)
    old = case.process_version.version
    if reasons:
        return {"case_id": case.id, "migrated": False, "reasons": reasons}
    step.acquire()
    with step.running():
        wf = step.wf
        migrate_workflow(top, wf, specs["spec"])
        for sp_id, sp in wf.subprocesses.items():
            migrate_workflow(sub_diffs[sp_id], sp, specs["subs"].get(sp.spec.name))
        wf.subprocess_specs = specs["subs"]
        wf.do_engine_steps()
    step.ctx.set_case(process_version_id=target.id)
    step.save()
    set_committed_value(case, "process_version", target)
    for t in ready_user_tasks(step.wf):  # tasks kept across migration show their new title, form, role
        row = step._task_row(t, step.ctx.now)
        db.session.execute(update(OpenTask).where(OpenTask.id == row["id"]).values(
            {k: row[k] for k in ("bpmn_id", "title", "role", "unit_code", "form_key", "due_at", "due_provisional")}))
    audit.record("case_migrated", actor=user, case_id=case.id,
                 detail={"process": case.process_key, "from_version": old, "to_version": target.version})
    return {"case_id": case.id, "migrated": True, "reasons": [f"已从第 {old} 版迁移到第 {target.version} 版"]}
