"""Check an exported case file offline: `python -m tools.verify_case_file case-12.zip` (standard library only).

It recomputes the SHA-256 of every file against manifest.json, recomputes each audit event's chain hash from
its fields (the same canonical form as `workflows.audit.event_hash`), checks the links between consecutive
events, and checks every document against the hash written into the audit trail when it was stored.
Exit status 0 when everything holds, 1 (naming each problem) otherwise.
"""
import hashlib
import json
import sys
import zipfile

FORMAT = "anfu-case-file/1"
HASHED_FIELDS = ("seq", "actor_id", "actor_name", "role", "unit_code", "action", "case_id", "task_id", "detail")
DOCUMENT_ACTIONS = ("document_uploaded", "document_generated")


def event_hash(row: dict, prev_hash: str) -> str:
    """SHA-256 of the event's canonical JSON and the previous hash (as the platform computes it)."""
    body = {k: row[k] for k in HASHED_FIELDS}
    body["at"] = row["at"]
    body["prev_hash"] = prev_hash
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_files(zf: zipfile.ZipFile, manifest: dict) -> list[str]:
    """Every listed file present with its hash; nothing unlisted."""
    problems = []
    names = {n for n in zf.namelist() if not n.endswith("/")} - {"manifest.json"}
    listed = manifest.get("files", {})
    for path, expected in sorted(listed.items()):
        if path not in names:
            problems.append(f"missing file: {path}")
        elif _sha256(zf.read(path)) != expected:
            problems.append(f"file altered: {path} (SHA-256 differs from manifest)")
    for path in sorted(names - listed.keys()):
        problems.append(f"file not in manifest: {path}")
    return problems


def check_events(events: list[dict], manifest: dict) -> list[str]:
    """Each event's own hash recomputed; links checked where sequence numbers are contiguous."""
    problems = []
    previous = None
    for ev in events:
        if event_hash(ev, ev["prev_hash"]) != ev["hash"]:
            problems.append(f"event {ev['seq']} ({ev['action']}) altered: its hash does not match its content")
        if previous is not None and ev["seq"] == previous["seq"] + 1 and ev["prev_hash"] != previous["hash"]:
            problems.append(f"event {ev['seq']} does not link to event {previous['seq']}")
        previous = ev
    listed = [(e["seq"], e["prev_hash"], e["hash"]) for e in manifest.get("events", [])]
    if listed != [(e["seq"], e["prev_hash"], e["hash"]) for e in events]:
        problems.append("timeline.json events differ from the event hashes in manifest.json")
    head = manifest.get("chain_head")
    if head and events and head["seq"] == events[-1]["seq"] and head["hash"] != events[-1]["hash"]:
        problems.append("chain head in manifest does not match the case's last event")
    if head and events and head["seq"] < events[-1]["seq"]:
        problems.append("chain head in manifest is older than the case's last event")
    return problems


def check_documents(zf: zipfile.ZipFile, manifest: dict, events: list[dict]) -> list[str]:
    """Each document's content against the SHA-256 the audit trail recorded when it was stored."""
    recorded = {}
    for ev in events:
        if ev["action"] in DOCUMENT_ACTIONS:
            detail = json.loads(ev["detail"])
            recorded[detail.get("document_id")] = detail.get("sha256")
    problems = []
    for doc in manifest.get("documents", []):
        if doc["path"] not in zf.namelist():
            continue  # reported by check_files
        actual = _sha256(zf.read(doc["path"]))
        if doc["id"] not in recorded:
            problems.append(f"document {doc['path']} has no storing event in the timeline")
        elif actual != recorded[doc["id"]]:
            problems.append(f"document altered: {doc['path']} (differs from the hash in the audit trail)")
    return problems


def verify(path: str) -> list[str]:
    """All problems found in the case file at `path` (empty when it verifies)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        return [f"not a readable ZIP file: {err}"]
    with zf:
        try:
            manifest = json.loads(zf.read("manifest.json"))
            events = json.loads(zf.read("timeline.json"))
        except (KeyError, ValueError) as err:
            return [f"manifest.json or timeline.json missing or unreadable: {err}"]
        if manifest.get("format") != FORMAT:
            return [f"unknown format {manifest.get('format')!r} (expected {FORMAT})"]
        return check_files(zf, manifest) + check_events(events, manifest) + check_documents(zf, manifest, events)


def main(argv: list[str] | None = None) -> int:
    """Verify each file named on the command line; print OK or the problems."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m tools.verify_case_file CASE_FILE.zip [...]", file=sys.stderr)
        return 2
    status = 0
    for path in args:
        problems = verify(path)
        if problems:
            status = 1
            print(f"{path}: FAILED")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"{path}: OK (files, event hashes, chain links and document hashes verified)")
    return status


if __name__ == "__main__":
    sys.exit(main())
