"""A case file: the timeline, every document and a manifest of hashes, checkable offline.

`tools/verify_case_file.py` (standard library only) re-checks a file without the platform's database; the
layout and the hashing rules below are its contract (format `anfu-case-file/1`, see docs/auditing.md).
"""
import csv
import hashlib
import io
import json
import re
import zipfile

from sqlalchemy import select

from models import AuditEvent, AuditHead, Document, db

from . import clock
from .case_story import action_label

FORMAT = "anfu-case-file/1"
CHAIN_FIELDS = ("seq", "at", "actor_id", "actor_name", "role", "unit_code", "action", "case_id", "task_id",
                "detail", "prev_hash", "hash")
CSV_HEADER = ["序号", "时间（北京时间）", "操作人", "角色", "单位", "动作", "动作代码", "任务", "详情", "事件哈希"]


def _event_row(ev: AuditEvent) -> dict:
    """An event exactly as chained: `detail` is the stored JSON text, `at` the ISO time that was hashed."""
    row = {k: getattr(ev, k) for k in CHAIN_FIELDS}
    row["at"] = ev.at.isoformat()
    return row


def _csv(events: list[AuditEvent]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for ev in events:
        detail = json.loads(ev.detail or "{}")
        writer.writerow([ev.seq, clock.local(ev.at).strftime("%Y-%m-%d %H:%M:%S"), ev.actor_name, ev.role or "",
                         ev.unit_code or "", action_label(ev.action), ev.action,
                         detail.get("title") or detail.get("task") or "", ev.detail, ev.hash])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM so Excel opens the Chinese text correctly


def _safe_name(name: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "document"
    return cleaned[:120]


def build_case_file(case) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of one case: timeline.json/.csv, documents/, manifest.json."""
    events = list(db.session.execute(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                     .order_by(AuditEvent.seq)).scalars())
    docs = list(db.session.execute(select(Document).where(Document.case_id == case.id)
                                   .order_by(Document.id)).scalars())
    head = db.session.get(AuditHead, 1)
    files: dict[str, bytes] = {
        "timeline.json": json.dumps([_event_row(e) for e in events], ensure_ascii=False, indent=1).encode(),
        "timeline.csv": _csv(events),
    }
    doc_entries = []
    for doc in docs:
        path = f"documents/{doc.id}-{_safe_name(doc.filename)}"
        files[path] = doc.content
        doc_entries.append({"id": doc.id, "path": path, "kind": doc.kind, "filename": doc.filename,
                            "generated": doc.generated, "size": doc.size, "sha256": doc.sha256,
                            "uploaded_at": doc.uploaded_at.isoformat()})
    manifest = {
        "format": FORMAT,
        "case": {"id": case.id, "title": case.title, "process": case.process_key,
                 "process_version": case.process_version.version, "status": case.status,
                 "outcome": case.outcome, "credit_code": case.credit_code, "unit_code": case.unit_code,
                 "started_at": case.started_at.isoformat(),
                 "completed_at": case.completed_at.isoformat() if case.completed_at else None},
        "exported_at": clock.now().isoformat(),
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in files.items()},
        "documents": doc_entries,
        "events": [{"seq": e.seq, "prev_hash": e.prev_hash, "hash": e.hash} for e in events],
        "chain_head": {"seq": head.seq, "hash": head.hash} if head else None,
        "hashing": "event hash = SHA-256 of canonical JSON (sort_keys, ensure_ascii=False) of seq, at, actor_id, "
                   "actor_name, role, unit_code, action, case_id, task_id, detail and prev_hash",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(path, data)
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return f"case-{case.id}.zip", buf.getvalue()
