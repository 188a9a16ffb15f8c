"""Process owners' verbs: save a draft (checked), publish it as the next version, re-publish an old one."""
from sqlalchemy import select

from handlers import PROCESSES
from models import ProcessDraft, ProcessVersion, db

from . import audit, clock
from .deploy import check_diagram, deploy_version
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .validation import as_utf8_text, repair_layout

OWNER_ROLE = "process_owner"


def ensure_process_owner(user) -> None:
    """Only process owners change procedures (save, publish, migrate); everyone else is refused."""
    if user is None or getattr(user, "role", None) != OWNER_ROLE:
        raise NotAllowed("只有流程管理员可以修改、发布或迁移流程")


def process_versions(process_key: str) -> list[ProcessVersion]:
    """Every deployed version of a process, newest first (404 if it has none)."""
    versions = list(db.session.execute(select(ProcessVersion).where(ProcessVersion.process_key == process_key)
                                       .order_by(ProcessVersion.version.desc())).scalars())
    if not versions:
        raise NotFound(f"没有名为“{process_key}”的流程")
    return versions


def get_version(process_key: str, number: int) -> ProcessVersion:
    """One deployed version of a process, or 404."""
    version = db.session.execute(select(ProcessVersion).where(ProcessVersion.process_key == process_key,
                                                              ProcessVersion.version == number)
                                 ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"流程“{process_key}”没有第 {number} 版")
    return version


def process_catalogue() -> list[dict]:
    """Every deployed process with its title and versions (newest first)."""
    keys = sorted(set(db.session.execute(select(ProcessVersion.process_key).distinct()).scalars()))
    out = []
    for key in keys:
        versions = process_versions(key)
        info = PROCESSES.get(key)
        out.append({"key": key, "title": info.title if info else versions[0].title, "versions": versions})
    return out


def get_draft(process_key: str, draft_id: int) -> ProcessDraft:
    """A draft of a process, or 404."""
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None or draft.process_key != process_key:
        raise NotFound("草稿不存在")
    return draft


def process_drafts(process_key: str) -> list[ProcessDraft]:
    """The drafts of a process not yet published, newest first."""
    return list(db.session.execute(select(ProcessDraft).where(ProcessDraft.process_key == process_key,
                                                              ProcessDraft.status == "draft")
                                   .order_by(ProcessDraft.updated_at.desc(), ProcessDraft.id.desc())).scalars())


def _problems(process_key: str, bpmn_xml: str, dmn_files: dict[str, str]) -> list[dict]:
    found = check_diagram(process_key, bpmn_xml.encode(), {k: v.encode() for k, v in dmn_files.items()})
    return [{"element_id": p.element_id, "message": p.message} for p in found]


def save_draft(user, process_key: str, bpmn_xml: str, dmn_files: dict[str, str], *,
               base_version: int | None = None, draft_id: int | None = None) -> ProcessDraft:
    """Save an edited diagram as a draft and run every deploy check on it; problems are kept on the draft."""
    ensure_process_owner(user)
    versions = process_versions(process_key)
    now = clock.now()
    if draft_id is None:
        base = get_version(process_key, base_version) if base_version else versions[0]
        draft = ProcessDraft(process_key=process_key, base_version_id=base.id, created_by_id=user.id,
                             created_at=now, status="draft")
        db.session.add(draft)
    else:
        draft = get_draft(process_key, draft_id)
        if draft.status != "draft":
            raise Conflict("该草稿已发布，不能再修改；请从已发布的版本新建草稿")
    bpmn_xml, dmn_files = repair_layout(as_utf8_text(bpmn_xml)), {k: as_utf8_text(v) for k, v in dmn_files.items()}
    draft.bpmn_xml, draft.dmn_files = bpmn_xml, dmn_files
    draft.problems = _problems(process_key, bpmn_xml, dmn_files)
    draft.updated_by_id, draft.updated_at = user.id, now
    db.session.flush()
    audit.record("process_draft_saved", actor=user,
                 detail={"process": process_key, "draft": draft.id, "problems": len(draft.problems)})
    return draft


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < 2:
        raise InvalidInput("请填写发布理由", {"reason": ["请填写发布理由（将记入审计记录）"]})
    if len(text) > 500:
        raise InvalidInput("发布理由过长", {"reason": ["发布理由不超过500字"]})
    return text


def publish_draft(user, process_key: str, draft_id: int, reason: str | None) -> ProcessVersion:
    """Publish a draft without problems as the next version; new cases start on it, running ones stay."""
    ensure_process_owner(user)
    draft = get_draft(process_key, draft_id)
    if draft.status != "draft":
        raise Conflict("该草稿已发布")
    text = _reason(reason)
    problems = _problems(process_key, draft.bpmn_xml, draft.dmn_files or {})  # checked again: handlers change
    if problems:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(p["element_id"] or "_diagram", []).append(p["message"])
        raise InvalidInput(f"草稿有 {len(problems)} 个问题，不能发布", errors)
    version = deploy_version(process_key, draft.bpmn_xml.encode(),
                             {k: v.encode() for k, v in (draft.dmn_files or {}).items()}, actor=user, reason=text)
    draft.status, draft.published_version_id = "published", version.id
    base = draft.base_version.version if draft.base_version else None
    audit.record("process_published", actor=user,
                 detail={"process": process_key, "version": version.version, "draft": draft.id,
                         "based_on": base, "reason": text})
    return version


def republish_version(user, process_key: str, number: int, reason: str | None) -> ProcessVersion:
    """Publish an earlier version again, as the newest version (e.g. to undo a change)."""
    ensure_process_owner(user)
    old = get_version(process_key, number)
    text = _reason(reason)
    version = deploy_version(process_key, old.bpmn_xml.encode(),
                             {k: v.encode() for k, v in (old.dmn_files or {}).items()}, actor=user, reason=text)
    audit.record("process_republished", actor=user,
                 detail={"process": process_key, "version": version.version, "from_version": number,
                         "reason": text})
    return version
