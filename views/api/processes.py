"""Process owners' API: versions, diagrams, drafts (checked on save), publishing, diffs and migrations."""
from flask import request

from views.hardening import DB_INT_MAX
from views.tx import commits
from workflows.errors import InvalidInput
from workflows.layout import displayable_xml
from workflows.migration import migrate_cases, plan_migration
from workflows.process_drafts import (
    ensure_process_owner,
    get_draft,
    get_version,
    process_catalogue,
    process_versions,
    publish_draft,
    republish_version,
    save_draft,
)
from workflows.validation import UnsafeXml, safe_xml
from workflows.version_diff import diff_versions

from . import api
from ._io import me, parse
from .process_io import cookie_csrf, draft_dict, drawable, ensure_official, ensure_reader, version_dict
from .process_schemas import DIAGRAM_OUT, DRAFT_OUT, VERSION_OUT, DraftIn, MigrateIn, ReasonIn


@api.get("/processes")
def get_processes():
    """Every deployed process with its versions, newest first.
    ---
    get:
      summary: 流程及其版本
      responses:
        200: {description: 流程, content: {application/json: {schema: {type: object}}}}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
    """
    ensure_reader(me())
    return {"items": [{"key": p["key"], "title": p["title"],
                       "versions": [VERSION_OUT.dump(version_dict(v)) for v in p["versions"]]}
                      for p in process_catalogue()]}


@api.get("/processes/<key>/versions/<int:number>/diagram")
def get_diagram(key: str, number: int):
    """The BPMN of a version ready for bpmn-js (DI added by auto-layout when it has none) and its DMN tables.
    ---
    get:
      summary: 流程图（可显示的 BPMN XML）
      responses:
        200: {description: 流程图, content: {application/json: {schema: DiagramOut}}}
        404: {description: 版本不存在, content: {application/json: {schema: ErrorOut}}}
    """
    ensure_official(me())
    version = get_version(key, number)
    return DIAGRAM_OUT.dump({"process": key, "version": number, "xml": displayable_xml(version.bpmn_xml),
                             "dmn": version.dmn_files or {}, "auto_layout": not drawable(version.bpmn_xml)})


def _checked_body() -> dict:
    """The draft body; XML that is unsafe or does not parse at all is refused (422) and not stored."""
    body = parse(DraftIn())
    for name, xml in [("bpmn", body["bpmn"]), *[(f"dmn.{k}", v) for k, v in body["dmn"].items()]]:
        try:
            safe_xml(xml)
        except UnsafeXml as err:
            _refuse(name, str(err))
        except Exception as err:  # noqa: BLE001 - lxml syntax errors
            _refuse(name, f"不是合法的 XML：{err}")
    return body


def _refuse(field: str, message: str) -> None:
    raise InvalidInput(message, {field: [message]})


@api.post("/processes/<key>/drafts")
@cookie_csrf
@commits
def post_draft(key: str):
    """Save an edited diagram as a new draft; every problem is listed on the element it concerns.
    ---
    post:
      summary: 保存流程草稿（并校验）
      requestBody: {content: {application/json: {schema: DraftIn}}}
      responses:
        201: {description: 已保存（problems 列出全部问题）, content: {application/json: {schema: DraftOut}}}
        403: {description: 不是流程管理员, content: {application/json: {schema: ErrorOut}}}
        422: {description: XML 不安全或无法解析, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    ensure_process_owner(user)
    body = _checked_body()
    draft = save_draft(user, key, body["bpmn"], body["dmn"], base_version=body["base_version"])
    return DRAFT_OUT.dump(draft_dict(draft)), 201


@api.get("/processes/<key>/drafts/<int:draft_id>")
def get_draft_view(key: str, draft_id: int):
    """A draft with its problems and its XML (laid out for display when it has no DI).
    ---
    get:
      summary: 流程草稿
      responses:
        200: {description: 草稿, content: {application/json: {schema: DraftOut}}}
    """
    ensure_process_owner(me())
    draft = get_draft(key, draft_id)
    out = DRAFT_OUT.dump(draft_dict(draft))
    out["xml"] = displayable_xml(draft.bpmn_xml)
    out["dmn"] = draft.dmn_files or {}
    return out


@api.put("/processes/<key>/drafts/<int:draft_id>")
@cookie_csrf
@commits
def put_draft(key: str, draft_id: int):
    """Save a draft again (checked again).
    ---
    put:
      summary: 更新流程草稿（并校验）
      requestBody: {content: {application/json: {schema: DraftIn}}}
      responses:
        200: {description: 已保存, content: {application/json: {schema: DraftOut}}}
        409: {description: 草稿已发布, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    ensure_process_owner(user)
    body = _checked_body()
    draft = save_draft(user, key, body["bpmn"], body["dmn"], draft_id=draft_id)
    return DRAFT_OUT.dump(draft_dict(draft))


@api.post("/processes/<key>/drafts/<int:draft_id>/publish")
@cookie_csrf
@commits
def post_publish(key: str, draft_id: int):
    """Publish a draft without problems as the next version (reason required, audited).
    ---
    post:
      summary: 发布草稿为新版本
      requestBody: {content: {application/json: {schema: ReasonIn}}}
      responses:
        201: {description: 新版本, content: {application/json: {schema: VersionOut}}}
        422: {description: 草稿有问题或未填理由, content: {application/json: {schema: ErrorOut}}}
    """
    body = parse(ReasonIn())
    version = publish_draft(me(), key, draft_id, body["reason"])
    return VERSION_OUT.dump(version_dict(version)), 201


@api.post("/processes/<key>/versions/<int:number>/republish")
@cookie_csrf
@commits
def post_republish(key: str, number: int):
    """Publish an earlier version again as the newest version (reason required, audited).
    ---
    post:
      summary: 重新发布旧版本
      requestBody: {content: {application/json: {schema: ReasonIn}}}
      responses:
        201: {description: 新版本, content: {application/json: {schema: VersionOut}}}
    """
    body = parse(ReasonIn())
    version = republish_version(me(), key, number, body["reason"])
    return VERSION_OUT.dump(version_dict(version)), 201


@api.get("/processes/<key>/diff")
def get_diff(key: str):
    """Tasks added, removed and changed between versions ?from=N&to=M.
    ---
    get:
      summary: 版本差异
      parameters:
        - {in: query, name: from, required: true, schema: {type: integer, minimum: 1}}
        - {in: query, name: to, required: true, schema: {type: integer, minimum: 1}}
      responses:
        200: {description: 差异, content: {application/json: {schema: {type: object}}}}
    """
    ensure_reader(me())
    old, new = _version_arg(key, "from"), _version_arg(key, "to")
    return {"process": key, "from": old.version, "to": new.version, **diff_versions(old, new)}


def _version_arg(key: str, name: str):
    raw = request.args.get(name, "")
    if not raw.isdigit() or int(raw) > DB_INT_MAX:
        _refuse(name, f"请用 ?{name}=版本号 指定版本")
    return get_version(key, int(raw))


@api.get("/processes/<key>/migrations")
def get_migration_plan(key: str):
    """Dry run: running cases of older versions, each migratable to ?to=N or not, and why.
    ---
    get:
      summary: 迁移预演
      parameters:
        - {in: query, name: to, schema: {type: integer, minimum: 1}, description: 目标版本（默认最新）}
      responses:
        200: {description: 每个案件能否迁移及原因, content: {application/json: {schema: {type: object}}}}
    """
    target = _version_arg(key, "to") if request.args.get("to") else process_versions(key)[0]
    return {"process": key, "to_version": target.version,
            "items": plan_migration(me(), key, target.version)}


@api.post("/processes/<key>/migrations")
@cookie_csrf
@commits
def post_migration(key: str):
    """Migrate the selected running cases to a version; each migration is audited.
    ---
    post:
      summary: 迁移案件到新版本
      requestBody: {content: {application/json: {schema: MigrateIn}}}
      responses:
        200: {description: 每个案件的结果, content: {application/json: {schema: {type: object}}}}
    """
    user = me()
    ensure_process_owner(user)
    body = parse(MigrateIn())
    return {"items": migrate_cases(user, key, body["to_version"], body["case_ids"])}
