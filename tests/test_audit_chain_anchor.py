"""Issue 10 · the audit chain under load: one consistent read, and a head anchored outside the database."""
import threading

import pytest
from sqlalchemy import text

from models import AuditEvent, AuditHead, db
from tests.conftest import PG_URL
from workflows.audit_anchor import anchor_path, read_anchor


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _some_history(api_as, n: int = 3) -> None:
    agency = api_as("agency")
    for _ in range(n):
        assert agency.post("/api/cases", json={"process": "registration"}).status_code == 201
    db.session.remove()


def test_verify_under_concurrent_case_commits_never_reports_a_missing_tail(api_as, app):
    """Issue 10: verify read events and head separately, so live traffic made it say 链尾缺失 and exit 1."""
    agencies = [api_as("agency") for _ in range(2)]
    db.session.remove()
    stop, failures = threading.Event(), []

    def writer(api) -> None:
        with app.app_context():
            client = app.test_client()
            while not stop.is_set():
                res = client.post("/api/cases", json={"process": "registration"}, headers=api._h())
                if res.status_code != 201:
                    failures.append(res.status_code)
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(a,)) for a in agencies]
    for t in threads:
        t.start()
    try:
        results = [_verify(app) for _ in range(8)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures
    assert [r.exit_code for r in results] == [0] * 8, [r.output for r in results]
    assert all("audit chain OK" in r.output for r in results)
    db.session.remove()
    total = db.session.query(AuditEvent).count()
    assert read_anchor().last_seq == total  # every commit anchored its head after committing
    assert _verify(app).output.strip() == f"audit chain OK: {total} events"


def test_truncation_with_the_head_moved_back_is_caught_by_the_anchor(api_as, app):
    """Deleting the newest events and rewinding audit_head leaves a self-consistent chain; the anchor remembers."""
    _some_history(api_as)
    auditor = api_as("auditor")
    total = db.session.query(AuditEvent).count()
    keep = total - 2
    kept = db.session.get(AuditEvent, keep)
    db.session.execute(text("DELETE FROM audit_event WHERE seq > :k"), {"k": keep})
    db.session.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": keep, "h": kept.hash})
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and f"BROKEN at event {keep + 1}" in result.output
    assert f"链头锚点记录已有 {total} 个事件，数据库中仅有 {keep} 个" in result.output
    body = auditor.get("/api/audit/integrity").get_json()
    assert body["ok"] is False and body["first_bad_seq"] == keep + 1


def test_full_wipe_is_not_reported_as_an_empty_good_chain(api_as, app):
    """Issue 10: after DELETE of every event and the head, verify said "OK: 0 events"."""
    _some_history(api_as)
    db.session.execute(text("DELETE FROM audit_event"))
    db.session.execute(text("DELETE FROM audit_head"))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and "BROKEN at event 1" in result.output and "清空" in result.output


def test_rewritten_history_with_recomputed_hashes_differs_from_the_anchor(api_as, app):
    """An attacker who rewrites event 1 and recomputes every hash still disagrees with the anchored heads."""
    from workflows.audit import GENESIS, event_hash, parse_at
    _some_history(api_as)
    prev = GENESIS
    events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
    events[0].actor_name = "他人"
    for ev in events:
        row = {c: getattr(ev, c) for c in ("seq", "actor_id", "actor_name", "role", "unit_code", "action",
                                             "case_id", "task_id", "detail")}
        row["at"] = parse_at(ev.at)
        ev.prev_hash, ev.hash = prev, event_hash(row, prev)
        prev = ev.hash
    db.session.execute(text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})
    db.session.commit()  # no audit events queued, so this commit anchors nothing
    result = _verify(app)
    assert result.exit_code == 1 and "与链头锚点记录的哈希不符" in result.output


@pytest.mark.skipif(PG_URL is not None, reason="a PostgreSQL timestamp column cannot hold a malformed value")
def test_malformed_timestamp_is_reported_not_a_traceback(api_as, app):
    """Issue 10: an unreadable `at` crashed verify with a traceback; now the event is named everywhere."""
    _some_history(api_as)
    auditor = api_as("auditor")
    db.session.execute(text("UPDATE audit_event SET at = 'not-a-time' WHERE seq = 2"))
    db.session.commit()
    db.session.remove()
    result = _verify(app)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "BROKEN at event 2" in result.output and "记录时间已损坏" in result.output
    assert auditor.get("/api/audit/integrity").get_json()["first_bad_seq"] == 2
    res = auditor.client.get("/audit/integrity", headers=auditor._h())
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "首个异常：第 2 号事件" in html and "已损坏，无法识别" in html


def test_missing_anchor_file_with_events_in_the_database_is_broken(api_as, app):
    """Deleting the anchor (or pointing at an empty one) cannot pass for a whole chain."""
    _some_history(api_as)
    anchor_path().unlink()
    result = _verify(app)
    assert result.exit_code == 1 and "链头锚点文件不存在" in result.output


def test_anchor_lines_are_seq_hash_time_and_match_the_head(api_as, app):
    """One line per commit that wrote audit events: seq, SHA-256 head, time; the last equals audit_head."""
    _some_history(api_as, n=2)
    lines = anchor_path().read_text().splitlines()
    seq, digest, at = lines[-1].split()
    head = db.session.get(AuditHead, 1)
    assert (int(seq), digest) == (head.seq, head.hash) and at.startswith("20")
    assert len({line.split()[0] for line in lines}) == len(lines)


def test_a_commit_landing_between_verify_reads_is_not_a_missing_tail(api_as, app):
    """Issue 10 (deterministic form): another request commits a case just before each read verify makes."""
    from sqlalchemy import event
    agency = api_as("agency")
    db.session.remove()
    fired: list[str] = []

    def commit_a_case() -> None:
        with app.app_context():
            res = app.test_client().post("/api/cases", json={"process": "registration"}, headers=agency._h())
            fired.append(res.status_code)
            db.session.remove()

    def before(conn, cursor, statement, params, context, executemany) -> None:
        if threading.current_thread() is threading.main_thread() and statement.lstrip().startswith("SELECT") \
                and ("FROM audit_head" in statement or "FROM audit_event" in statement):
            t = threading.Thread(target=commit_a_case)
            t.start()
            t.join()

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        result = _verify(app)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert fired and set(fired) == {201}
    assert result.exit_code == 0, result.output
