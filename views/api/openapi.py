"""GET /api/openapi.json: the OpenAPI 3 document, built from the route docstrings and the schemas."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import current_app

from . import api, schemas

_SCHEMAS = ["TokenIn", "TokenOut", "UnitOut", "TaskOut", "TableOut", "TaskDetailOut",
            "InboxOut", "CaseIn", "CaseOut", "EventOut", "HistoryOut",
            "DocumentOut", "CompleteIn", "ReassignIn", "ErrorOut"]


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
        for op in ops.values():
            op.setdefault("security", [{"bearer": []}])
            params = op.setdefault("parameters", [])
            for arg in rule.arguments:
                params.append({"in": "path", "name": arg, "required": True, "schema": {"type": "string"}})
        spec.path(path=path, operations=ops)
    return spec.to_dict()


@api.get("/openapi.json")
def openapi_json():
    """The OpenAPI document of this API."""
    return build_spec()
