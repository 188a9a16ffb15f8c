"""Deploying a diagram as a new process version, after validating it against what the platform knows."""
import hashlib
import json
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from handlers import FORMS, PROCESSES, SERVICES
from models import ROLES, ProcessVersion, db

from . import audit, clock
from .errors import InvalidInput
from .validation import validate_bpmn

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


def known_messages() -> set[str]:
    """Message names any shipped process declares it can receive."""
    return {m for p in PROCESSES.values() for m in p.messages}


def check_diagram(process_key: str, bpmn_xml: bytes, dmn_files: dict[str, bytes]) -> list:
    """Every problem of a diagram, each naming its element (empty when it may be deployed)."""
    return validate_bpmn(bpmn_xml, roles=set(ROLES), forms=set(FORMS), services=set(SERVICES),
                         messages=known_messages(), dmn_files=dmn_files, process_id=process_key)


def deploy_version(process_key: str, bpmn_xml: bytes, dmn_files: dict[str, bytes], *, actor=None,
                   reason: str = "", title: str | None = None) -> ProcessVersion:
    """Validate and store the next version of a process; refuses with every problem listed."""
    problems = check_diagram(process_key, bpmn_xml, dmn_files)
    if problems:
        raise InvalidInput("流程图未通过校验：" + "；".join(p.message for p in problems),
                           {p.element_id or "_diagram": [p.message] for p in problems})
    checksum = hashlib.sha256(bpmn_xml + json.dumps({k: v.decode() for k, v in dmn_files.items()},
                                                    sort_keys=True).encode()).hexdigest()
    current = db.session.execute(select(func.max(ProcessVersion.version))
                                 .where(ProcessVersion.process_key == process_key)).scalar() or 0
    info = PROCESSES.get(process_key)
    version = ProcessVersion(process_key=process_key, version=current + 1, checksum=checksum,
                             title=title or (info.title if info else process_key),
                             bpmn_xml=bpmn_xml.decode(), dmn_files={k: v.decode() for k, v in dmn_files.items()},
                             deployed_by_id=getattr(actor, "id", None), deployed_at=clock.now(), reason=reason)
    db.session.add(version)
    db.session.flush()
    audit.record("process_deployed", actor=actor,
                 detail={"process": process_key, "version": version.version, "checksum": checksum,
                         "reason": reason})
    return version


def shipped_files(process_key: str) -> tuple[bytes, dict[str, bytes]]:
    """The diagram and decision tables of a process as shipped in `bpmn/`."""
    info = PROCESSES[process_key]
    bpmn = (BPMN_DIR / f"{process_key}.bpmn").read_bytes()
    return bpmn, {name: (BPMN_DIR / f"{name}.dmn").read_bytes() for name in info.dmn}


def deploy_shipped() -> list[ProcessVersion]:
    """Deploy each shipped process that has no version yet, or whose shipped file changed (first start)."""
    deployed = []
    for key in sorted(PROCESSES):
        if not (BPMN_DIR / f"{key}.bpmn").exists():
            continue
        bpmn, dmn = shipped_files(key)
        latest = db.session.execute(select(ProcessVersion).where(ProcessVersion.process_key == key)
                                    .order_by(ProcessVersion.version.desc()).limit(1)).scalar_one_or_none()
        if latest is None:
            deployed.append(deploy_version(key, bpmn, dmn, reason="随系统发布的默认流程"))
        elif current_app.config.get("REDEPLOY_CHANGED_SHIPPED") and latest.bpmn_xml != bpmn.decode():
            deployed.append(deploy_version(key, bpmn, dmn, reason="随系统升级的默认流程"))
    return deployed
