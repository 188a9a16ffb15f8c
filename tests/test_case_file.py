"""The exported case file verifies offline with the documented command and fails once anything is altered."""
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from models import AuditEvent, db
from tests.audit_cases import approved_case
from tools import verify_case_file
from workflows.audit import event_hash
from workflows.documents import add_generated_document

ROOT = Path(__file__).resolve().parent.parent


def _export(api_as, tmp_path) -> tuple[Path, int]:
    case_id, _, _ = approved_case(api_as)
    add_generated_document(case_id, kind="registration_receipt", filename="登记回执.docx", content=b"PK\x03\x04docx",
                           content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    db.session.commit()
    auditor = api_as("auditor")
    res = auditor.get(f"/api/cases/{case_id}/export")
    assert res.status_code == 200 and res.mimetype == "application/zip"
    assert f"case-{case_id}.zip" in res.headers["Content-Disposition"]
    path = tmp_path / f"case-{case_id}.zip"
    path.write_bytes(res.data)
    return path, case_id


def _run(path: Path) -> subprocess.CompletedProcess:
    """The documented command, without site-packages (-S): it needs nothing but the standard library."""
    return subprocess.run([sys.executable, "-S", "-m", "tools.verify_case_file", str(path)], check=False,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def _rewrite(src: Path, dst: Path, change) -> Path:
    """Copy a ZIP, passing each member's bytes through change(name, data)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change(name, zin.read(name)))
    return dst


def test_case_file_holds_timeline_documents_and_manifest(api_as, tmp_path):
    """timeline.json/.csv, every uploaded and generated document, manifest with hashes and the chain head."""
    path, case_id = _export(api_as, tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        events = json.loads(zf.read("timeline.json"))
        csv_text = zf.read("timeline.csv").decode("utf-8-sig")
    docs = manifest["documents"]
    assert {"timeline.json", "timeline.csv", "manifest.json"} <= names
    assert len(docs) == 10 and any(d["generated"] and d["filename"] == "登记回执.docx" for d in docs)
    assert sum(d["generated"] and d["kind"] == "registration_receipt" for d in docs) == 3  # 2 on submission
    assert {d["path"] for d in docs} <= names and set(manifest["files"]) == names - {"manifest.json"}
    stored = db.session.query(AuditEvent).filter_by(case_id=case_id).order_by(AuditEvent.seq).all()
    exported = stored.pop()  # the export itself is audited, after the file was built
    assert exported.action == "case_exported" and json.loads(exported.detail)["file"] == path.name
    assert [e["hash"] for e in events] == [e.hash for e in stored] == [e["hash"] for e in manifest["events"]]
    last = db.session.query(AuditEvent).filter(AuditEvent.seq < exported.seq).order_by(AuditEvent.seq.desc()).first()
    assert manifest["chain_head"] == {"seq": last.seq, "hash": last.hash}
    assert csv_text.splitlines()[0].startswith("序号,时间（北京时间）,操作人") and "审核员1" in csv_text


def test_verifier_hashes_events_exactly_as_the_platform(api_as):
    """The stand-alone tool's event hash equals workflows.audit.event_hash for every stored event."""
    approved_case(api_as)
    for ev in db.session.query(AuditEvent).all():
        row = {c: getattr(ev, c) for c in ("seq", "at", "actor_id", "actor_name", "role", "unit_code", "action",
                                             "case_id", "task_id", "detail")}
        expected = event_hash(row, ev.prev_hash)
        assert verify_case_file.event_hash(dict(row, at=ev.at.isoformat()), ev.prev_hash) == expected == ev.hash


def test_exported_file_verifies_with_the_documented_command(api_as, tmp_path):
    """`python -m tools.verify_case_file case-N.zip` exits 0 on an untouched export."""
    path, _ = _export(api_as, tmp_path)
    result = _run(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_one_changed_byte_in_a_document_fails_verification(api_as, tmp_path):
    """Flipping one byte of one document is caught, even if the forger also rewrites the manifest."""
    path, _ = _export(api_as, tmp_path)
    with zipfile.ZipFile(path) as zf:
        target = next(n for n in zf.namelist() if n.startswith("documents/") and n.endswith(".pdf"))

    def flip(name, data):
        return data[:10] + bytes([data[10] ^ 0x01]) + data[11:] if name == target else data
    tampered = _rewrite(path, tmp_path / "tampered.zip", flip)
    result = _run(tampered)
    assert result.returncode == 1 and f"file altered: {target}" in result.stdout

    def flip_and_fix_manifest(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            with zipfile.ZipFile(tampered) as zf:
                manifest["files"][target] = hashlib.sha256(zf.read(target)).hexdigest()
            return json.dumps(manifest).encode()
        return flip(name, data)
    forged = _rewrite(path, tmp_path / "forged.zip", flip_and_fix_manifest)
    result = _run(forged)
    assert result.returncode == 1 and f"document altered: {target}" in result.stdout
    assert "file altered" not in result.stdout


def test_an_altered_event_fails_verification(api_as, tmp_path):
    """Changing who acted, or re-hashing the altered event, breaks its hash or its link to the next one."""
    path, _ = _export(api_as, tmp_path)

    def edit_events(fn):
        def change(name, data):
            if name != "timeline.json":
                return data
            events = json.loads(data)
            fn(events)
            return json.dumps(events, ensure_ascii=False).encode()
        return change

    def rename(events):
        events[3]["actor_name"] = "张冒名"
    result = verify_case_file.verify(str(_rewrite(path, tmp_path / "a.zip", edit_events(rename))))
    assert any("altered: its hash does not match" in p for p in result)

    def rename_and_rehash(events):
        events[3]["actor_name"] = "张冒名"
        events[3]["hash"] = verify_case_file.event_hash(events[3], events[3]["prev_hash"])
    result = verify_case_file.verify(str(_rewrite(path, tmp_path / "b.zip", edit_events(rename_and_rehash))))
    assert any("does not link" in p or "differ from the event hashes" in p for p in result), result


def test_not_a_zip_and_missing_parts_are_reported(tmp_path):
    """Garbage or a ZIP without a manifest fails with a reason, not a traceback."""
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert verify_case_file.verify(str(junk))[0].startswith("not a readable ZIP")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("x.txt", "x")
    assert "missing or unreadable" in verify_case_file.verify(str(empty))[0]
    assert verify_case_file.main([]) == 2
