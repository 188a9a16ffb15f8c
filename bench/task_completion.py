"""Benchmark: one task completion through the JSON API vs. the raw SpiffWorkflow load-run-save cycle.

Protocol (shared/performance.md): a chain of 10 user tasks with a one-field form; 3 warm-up and 20 measured
instances; per instance: start, then 10 × (inbox list, form load, complete), then a status read; the raw
SpiffWorkflow baseline (deserialize → run the READY task → do_engine_steps → serialize) for the same BPMN is
interleaved in the same run. File-backed SQLite with real commits (or DATABASE_URL for PostgreSQL).

    .venv/bin/python bench/task_completion.py [--instances 20] [--warmup 3]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marshmallow import Schema, fields

from handlers import FormSpec, ProcessInfo, register_form, register_process

N_TASKS = 10


def chain_xml() -> bytes:
    """The 10-task chain, every task in one lane so the platform's deploy checks accept it."""
    tpl = (Path(__file__).parent / "chain10.bpmn").read_text()
    tasks, flows, refs = [], [], []
    for i in range(1, N_TASKS + 1):
        refs.append(f"<bpmn:flowNodeRef>t{i}</bpmn:flowNodeRef>")
        tasks.append(f'<bpmn:userTask id="t{i}" name="步骤{i}"><bpmn:extensionElements><spiffworkflow:properties>'
                     f'<spiffworkflow:property name="formKey" value="bench_field" /></spiffworkflow:properties>'
                     f'</bpmn:extensionElements><bpmn:incoming>f{i - 1}</bpmn:incoming>'
                     f'<bpmn:outgoing>f{i}</bpmn:outgoing></bpmn:userTask>')
    for i in range(N_TASKS + 1):
        src = "start" if i == 0 else f"t{i}"
        dst = "end" if i == N_TASKS else f"t{i + 1}"
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{src}" targetRef="{dst}" />')
    return tpl.format(refs="".join(refs), tasks="".join(tasks), flows="".join(flows)).encode()


class BenchField(Schema):
    value = fields.String(required=True)


register_form(FormSpec(key="bench_field", title="基准表单", schema=lambda s: BenchField()))
register_process(ProcessInfo(key="bench_chain", title="基准：10个用户任务", starter_roles=("city_official",)))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from models import db
    from workflows.deploy import deploy_version
    from workflows.engine import (
        ENGINE,
        SERIALIZER,
        dump_workflow,
        load_workflow,
        new_workflow,
        ready_user_tasks,
    )
    from workflows.people import create_user
    from workflows.setup import StatementCounter

    tmp = tempfile.mkdtemp(prefix="anfu-bench-")
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        from commands import bootstrap_units
        bootstrap_units()
        version = deploy_version("bench_chain", chain_xml(), {}, reason="benchmark")
        create_user("bench", "bench-password", role="city_official")
        db.session.commit()
        version_id = version.id
    client = app.test_client()
    token = client.post("/api/tokens", json={"username": "bench", "password": "bench-password"}).get_json()["token"]
    h = {"Authorization": f"Bearer {token}"}

    timings: dict[str, list[float]] = {k: [] for k in ("start", "inbox", "form", "complete", "status", "raw")}
    stmts, commits = [], []
    with app.app_context():
        from models import ProcessVersion
        pv = db.session.get(ProcessVersion, version_id)
        db.session.expunge(pv)
        counter = StatementCounter(db.engine)
    # Requests run without an outer app context, as in production (no cached login user, fresh session).
    if True:
        for n in range(args.warmup + args.instances):
            measure = n >= args.warmup
            t0 = time.perf_counter()
            res = client.post("/api/cases", json={"process": "bench_chain"}, headers=h)
            t1 = time.perf_counter()
            assert res.status_code == 201, res.get_json()
            case_id = res.get_json()["id"]
            if measure:
                timings["start"].append(t1 - t0)
            raw_wf = new_workflow(pv)
            raw_wf.do_engine_steps()
            raw_json = dump_workflow(raw_wf)
            for _ in range(N_TASKS):
                t0 = time.perf_counter()
                items = client.get("/api/inbox?scope=all", headers=h).get_json()["items"]
                t1 = time.perf_counter()
                task_id = next(t["id"] for t in items if t["case_id"] == case_id)
                form = client.get(f"/api/tasks/{task_id}", headers=h)
                t2 = time.perf_counter()
                assert form.status_code == 200
                counter.reset()
                t3 = time.perf_counter()
                res = client.post(f"/api/tasks/{task_id}/complete", json={"data": {"value": "已核实"}}, headers=h)
                t4 = time.perf_counter()
                assert res.status_code == 200, res.get_json()
                # the raw SpiffWorkflow cycle for the same diagram, interleaved
                t5 = time.perf_counter()
                wf = load_workflow(raw_json, pv)
                wf.script_engine = ENGINE
                task = ready_user_tasks(wf)[0]
                task.data["value"] = "已核实"
                task.run()
                wf.do_engine_steps()
                raw_json = dump_workflow(wf)
                t6 = time.perf_counter()
                completion_log = list(counter.log)
                if measure:
                    timings["inbox"].append(t1 - t0)
                    timings["form"].append(t2 - t1)
                    timings["complete"].append(t4 - t3)
                    timings["raw"].append(t6 - t5)
                    stmts.append(counter.statements)
                    commits.append(counter.commits)
            t0 = time.perf_counter()
            status = client.get(f"/api/cases/{case_id}", headers=h).get_json()
            if measure:
                timings["status"].append(time.perf_counter() - t0)
            assert status["status"] == "completed"
        last_log = completion_log
        counter.close()
    backend = uri.split(":", 1)[0]
    print(f"anfu bench: {args.instances} instances × {N_TASKS} tasks, {backend}, SpiffWorkflow {SERIALIZER.VERSION}")
    print(f"{'request':<12}{'median ms':>12}{'p95 ms':>10}{'n':>6}")
    for name, values in timings.items():
        print(f"{name:<12}{statistics.median(values) * 1000:>12.2f}{pct(values, 95) * 1000:>10.2f}{len(values):>6}")
    ratio = statistics.median(timings["complete"]) / statistics.median(timings["raw"])
    print(f"completion / raw SpiffWorkflow step (medians): {ratio:.2f}×")
    print(f"SQL statements per completion: median {statistics.median(stmts):.0f}, max {max(stmts)}; "
          f"commits per completion: max {max(commits)}")
    print("statements of the last completion:")
    for line in last_log:
        print("   ", line)


if __name__ == "__main__":
    main()
