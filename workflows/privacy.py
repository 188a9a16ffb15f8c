"""Who filed it stays with the bureau: an objector's or complainant's identity, contact and files are for officials.

Marked at write time: public files carry a confidential kind (`CONFIDENTIAL_KINDS`), an event written for a
member of the public has no actor account, and an event may list its own identifying detail keys under
`confidential`. Agency users see the substance (e.g. the objection text), never who filed it.
"""
import json

from models import AuditEvent

CONFIDENTIAL_KINDS = frozenset({"objection_evidence", "complaint_evidence"})
IDENTITY_KEYS = frozenset({"name", "contact", "objector", "complainant", "phone", "tracking_code"})
PUBLIC_LABEL = "公众"


def hides_identity(user) -> bool:
    """Agency users never see who filed an objection or complaint."""
    return getattr(user, "role", None) == "agency"


def document_hidden(user, doc) -> bool:
    """A file sent by the public is not shown to, nor downloadable by, the agency."""
    return hides_identity(user) and doc is not None and doc.kind in CONFIDENTIAL_KINDS


def visible_events(user, events: list[AuditEvent]) -> list[AuditEvent]:
    """The timeline as `user` may see it: for agencies, public filers anonymised and their files left out."""
    if not hides_identity(user):
        return events
    out = []
    for e in events:
        detail = json.loads(e.detail or "{}")
        if detail.get("kind") in CONFIDENTIAL_KINDS:
            continue
        public_actor = e.actor_id is None and e.role is None and e.actor_name not in ("系统", PUBLIC_LABEL)
        if not public_actor and not detail.get("confidential"):
            out.append(e)
            continue
        out.append(_copy(e, actor_name=PUBLIC_LABEL if public_actor else e.actor_name,
                         detail=json.dumps(_redact(detail), ensure_ascii=False, sort_keys=True)))
    return out


def _redact(detail):
    """Drop identifying keys (and the keys an event lists as `confidential`) at any depth."""
    if isinstance(detail, dict):
        hidden = IDENTITY_KEYS | set(detail.get("confidential") or ())
        return {k: _redact(v) for k, v in detail.items() if k not in hidden and k != "confidential"}
    if isinstance(detail, list):
        return [_redact(v) for v in detail]
    return detail


def _copy(e: AuditEvent, **changes) -> AuditEvent:
    """A transient copy for display; the stored, hash-chained event is never changed."""
    values = {c.key: getattr(e, c.key) for c in AuditEvent.__table__.columns}
    values.update(changes)
    return AuditEvent(**values)
