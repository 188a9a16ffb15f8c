"""The audit chain head anchored outside the database: an append-only file, one line per commit.

Each commit that appended audit events writes `seq hash time` after it committed. `flask audit verify` reads
this file *before* the database, so every line it sees belongs to a commit the database must still hold:
a truncated chain with its head moved back, or a wiped table, no longer looks whole.
"""
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from . import clock


@dataclass(frozen=True)
class Anchor:
    """What the anchor file says: seq → hash of every anchored head, and the unreadable line numbers."""

    heads: dict[int, str]
    bad_lines: list[int]

    @property
    def last_seq(self) -> int:
        """The highest anchored sequence number (0 when nothing is anchored)."""
        return max(self.heads, default=0)


def anchor_path() -> Path:
    """The anchor file: setting AUDIT_HEAD_PATH, else ANFU_AUDIT_HEAD, else instance/audit-head.log."""
    configured = current_app.config.get("AUDIT_HEAD_PATH") or os.environ.get("ANFU_AUDIT_HEAD")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-head.log"


def append_head(seq: int, digest: str) -> None:
    """Append one head line; O_APPEND keeps concurrent writers' lines whole."""
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{seq} {digest} {clock.now().isoformat()}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_anchor() -> Anchor | None:
    """Every anchored head, or None when the file does not exist."""
    path = anchor_path()
    if not path.exists():
        return None
    heads: dict[int, str] = {}
    bad: list[int] = []
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            parts = raw.decode("ascii", "replace").split()
            if not raw.endswith(b"\n"):
                continue  # a line still being written by a concurrent commit
            if len(parts) != 3 or not parts[0].isdigit() or len(parts[1]) != 64:
                bad.append(n)
                continue
            seq = int(parts[0])
            if heads.get(seq, parts[1]) != parts[1]:
                bad.append(n)
            heads[seq] = parts[1]
    return Anchor(heads, bad)
