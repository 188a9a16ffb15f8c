"""GET /api/openapi.json: the OpenAPI 3 document, built from the route docstrings and the schemas.

Besides what each docstring says, every operation lists the errors the one error mapping can answer
(401/403 when a token is needed, 404 for ids in the path, 409/400 for changes, 422 for inputs), integer
path ids are typed as bounded integers (views/hardening.py) and a body with required fields is required.
"""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import current_app
from werkzeug.routing import IntegerConverter

from handlers import PROCESSES
from views.hardening import DB_INT_MAX

from . import api, process_schemas, schemas

_SCHEMAS = ["TokenIn", "TokenOut", "UnitOut", "TaskOut", "TableOut", "TaskDetailOut",
            "InboxOut", "CaseIn", "CaseOut", "EventOut", "HistoryOut",
            "DocumentOut", "CompleteIn", "ReassignIn", "ErrorOut"]
_ERRORS = {
    "400": "请求无效（如 CSRF 校验失败）", "401": "未登录或令牌无效", "403": "无权执行此操作",
    "404": "资源不存在", "409": "状态已变化或他人已先办理", "422": "提交的内容有误（errors 按字段列出）",
    "429": "请求过于频繁（未登录的写操作按来源地址限流）",
}


def _schema_class(name: str):
    return getattr(schemas, name, None) or getattr(process_schemas, name, None)


def _path_parameter(rule, arg: str) -> dict:
    if isinstance(rule._converters.get(arg), IntegerConverter):
        schema = {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
    elif arg == "key":
        schema = {"type": "string", "enum": sorted(PROCESSES)}
    else:
        schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    return {"in": "path", "name": arg, "required": True, "schema": schema}


def _error_codes(method: str, op: dict, rule) -> list[str]:
    codes = ["422"] if rule.arguments or op.get("parameters") or op.get("requestBody") else []
    if op["security"]:
        codes += ["401", "403", "404"]
    elif rule.arguments:
        codes.append("404")
    if method in ("post", "put", "patch", "delete"):
        codes += ["400", "409"] if op["security"] else ["400"]
        codes.append("429")  # a write without a valid login is rate-limited per address (views/security.py)
    return codes


def _require_body(op: dict) -> None:
    body = op.get("requestBody")
    if not body:
        return
    for media in body.get("content", {}).values():
        schema = media.get("schema")
        cls = _schema_class(schema) if isinstance(schema, str) else None
        needed = (cls is not None and any(f.required for f in cls._declared_fields.values())) or \
            (isinstance(schema, dict) and bool(schema.get("required")))
        body.setdefault("required", needed)


def _complete(method: str, op: dict, rule) -> None:
    op.setdefault("security", [{"bearer": []}])
    params = op.setdefault("parameters", [])
    params.extend(_path_parameter(rule, arg) for arg in sorted(rule.arguments))
    _require_body(op)
    responses = op.setdefault("responses", {})
    for code in _error_codes(method, op, rule):
        if code not in {str(k) for k in responses}:
            responses[code] = {"description": _ERRORS[code], "content": {"application/json": {"schema": "ErrorOut"}}}


def build_spec() -> dict:
    """Collect every /api rule's documented operations."""
    spec = APISpec(title="安服监管 Anfu API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "安全生产技术服务机构监管平台 JSON API。认证：POST /api/tokens 获取令牌，"
                                        "随后以 Authorization: Bearer <token> 访问。"})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in _SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas, name))
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.openapi_json":
            continue
        view = current_app.view_functions[rule.endpoint]
        ops = load_operations_from_docstring(view.__doc__ or "")
        if not ops:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "{" + arg + "}").replace(f"<{arg}>", "{" + arg + "}")
        for method, op in ops.items():
            _complete(method, op, rule)
        spec.path(path=path, operations=ops)
    return spec.to_dict()


@api.get("/openapi.json")
def openapi_json():
    """The OpenAPI document of this API."""
    return build_spec()
