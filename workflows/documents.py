"""Verbs on documents: upload (content-checked, hashed, audited) and generated notices."""
import hashlib
import re

import filetype
from flask import current_app

from models import Document, db

from . import audit, clock, guards
from .access import can_see_case
from .errors import InvalidInput, NotAllowed
from .file_checks import structure_problem

ALLOWED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


def upload_document(user, case, *, filename: str, content: bytes, kind: str) -> Document:
    """Attach a PDF/JPEG/PNG (judged by its content, not its name) of at most 20 MB to a case."""
    if not can_see_case(user, case) or user.role in ("auditor",):
        raise NotAllowed("您无权向该案件上传材料")
    guards.check(user, "upload", case=case, agency_id=case.agency_id)
    if case.status != "running":
        raise InvalidInput("案件已办结，不能再上传材料", {"file": ["案件已办结，不能再上传材料"]})
    errors = content_errors(content, kind)
    if errors:
        raise InvalidInput("上传的文件不符合要求", errors)
    return _store(case.id, kind=kind, filename=filename or "未命名", content=content,
                  content_type=filetype.guess(content).mime, actor=user)


def content_errors(content: bytes, kind: str) -> dict:
    """Problems of an upload judged by its content: type parsed as claimed (PDF/JPEG/PNG), ≤ 20 MB, a kind."""
    errors = {}
    if not kind or not re.match(KIND_PATTERN, kind):
        errors["kind"] = ["请注明材料类别（kind）"]
    if not content:
        errors["file"] = ["请选择要上传的文件"]
    elif len(content) > current_app.config["DOCUMENT_MAX_BYTES"]:
        errors["file"] = ["文件过大（不超过20MB）"]
    else:
        guess = filetype.guess(content)
        if guess is None or guess.mime not in ALLOWED:
            errors["file"] = ["只接受 PDF、JPEG、PNG 文件（按文件内容判断）"]
        elif problem := structure_problem(content, guess.mime):
            errors["file"] = [problem]
    return errors


def attach_public_document(case_id: int, *, filename: str, content: bytes, kind: str, actor_name: str) -> Document:
    """A file sent by the public (e.g. with an objection), with the same content checks as any upload."""
    errors = content_errors(content, kind)
    if errors:
        raise InvalidInput("上传的文件不符合要求", errors)
    doc = _store(case_id, kind=kind, filename=filename or "附件", content=content,
                 content_type=filetype.guess(content).mime, actor=None)
    return doc


def add_generated_document(case_id: int, *, kind: str, filename: str, content: bytes, content_type: str,
                           actor=None) -> Document:
    """Store a notice or decision the platform generated (e.g. a .docx) with the case."""
    return _store(case_id, kind=kind, filename=filename, content=content, content_type=content_type,
                  actor=actor, generated=True)


def _store(case_id: int, *, kind: str, filename: str, content: bytes, content_type: str, actor,
           generated: bool = False) -> Document:
    digest = hashlib.sha256(content).hexdigest()
    doc = Document(case_id=case_id, kind=kind, filename=filename[:255], content_type=content_type,
                   size=len(content), sha256=digest, content=content, uploaded_by_id=getattr(actor, "id", None),
                   uploaded_at=clock.now(), generated=generated)
    db.session.add(doc)
    db.session.flush()
    audit.record("document_generated" if generated else "document_uploaded", actor=actor, case_id=case_id,
                 detail={"document_id": doc.id, "kind": kind, "filename": doc.filename, "sha256": digest,
                         "size": doc.size})
    return doc


def carry_documents(origin_case_id: int, target_case_id: int, actor=None) -> list[Document]:
    """A follow-up case (e.g. a listing referred by an interview) starts with the origin's evidence: each
    document copied with its hash, so both cases hold what was relied on. Confidential files (objectors',
    complainants') stay where they are."""
    from sqlalchemy import select

    from .privacy import CONFIDENTIAL_KINDS
    docs = db.session.execute(select(Document).where(Document.case_id == origin_case_id)
                              .order_by(Document.id)).scalars().all()
    return [_store(target_case_id, kind=d.kind, filename=d.filename, content=d.content,
                   content_type=d.content_type, actor=actor, generated=d.generated)
            for d in docs if d.kind not in CONFIDENTIAL_KINDS]


def readable_document(user, doc: Document | None, case) -> Document:
    """A document the user may download."""
    from .privacy import document_hidden
    if doc is None or case is None or not can_see_case(user, case) or document_hidden(user, doc):
        raise NotAllowed("您无权下载该文件")
    return doc
