"""Shared form helpers: Chinese validation messages and field constructors carrying label and rule text."""
from marshmallow import fields, validate

fields.Field.default_error_messages.update({
    "required": "此项为必填项",
    "null": "此项不能为空",
    "validator_failed": "内容不符合要求",
})
fields.String.default_error_messages.update({"invalid": "应为文本"})
fields.Integer.default_error_messages.update({"invalid": "应为整数"})
fields.Number.default_error_messages.update({"invalid": "应为数字", "too_large": "数值过大"})
fields.Boolean.default_error_messages.update({"invalid": "应为是或否"})
fields.Email.default_error_messages.update({"invalid": "电子信箱格式不正确"})
fields.List.default_error_messages.update({"invalid": "应为列表"})
fields.Date.default_error_messages.update({"invalid": "日期格式应为 YYYY-MM-DD"})
fields.DateTime.default_error_messages.update({"invalid": "时间格式不正确"})
fields.Decimal.default_error_messages.update({"invalid": "应为数字"})
validate.Length.message_min = "长度不能少于 {min} 个字符"
validate.Length.message_max = "长度不能超过 {max} 个字符"
validate.Length.message_all = "长度应在 {min} 到 {max} 个字符之间"
validate.Range.message_min = "应{min_op} {{min}}"
validate.Range.message_max = "应{max_op} {{max}}"
validate.Range.message_all = "应{min_op} {{min}} 且{max_op} {{max}}"
validate.Range.message_gte, validate.Range.message_gt = "不小于", "大于"
validate.Range.message_lte, validate.Range.message_lt = "不大于", "小于"
validate.OneOf.default_message = "请从给定选项中选择"
validate.Regexp.default_message = "格式不正确"


def meta(label: str, *, help: str = "", widget: str = "text", choices: list | None = None,
         source: str = "", placeholder: str = "") -> dict:
    """Field metadata read by the HTML form renderer and the JSON Schema of a task."""
    out = {"label": label, "widget": widget}
    if help:
        out["help"] = help
    if source:
        out["source"] = source
    if choices:
        out["choices"] = choices
    if placeholder:
        out["placeholder"] = placeholder
    return out


def text(label: str, *, required: bool = True, max_len: int = 200, **kw) -> fields.String:
    """A required (by default) single-line Chinese-labelled text field."""
    validators = [validate.Length(min=1 if required else 0, max=max_len)]
    return fields.String(required=required, allow_none=not required, validate=validators,
                         metadata=meta(label, **kw))


def document(label: str, *, required: bool = True, **kw) -> fields.Integer:
    """A field holding the id of a document uploaded to the case."""
    kw.setdefault("widget", "document")
    return fields.Integer(required=required, allow_none=not required, metadata=meta(label, **kw))


def choice(label: str, options: list[tuple[str, str]], *, required: bool = True, **kw) -> fields.String:
    """One of a fixed list of (value, Chinese label) options."""
    return fields.String(required=required, validate=validate.OneOf([v for v, _ in options]),
                         metadata=meta(label, widget=kw.pop("widget", "radio"), choices=options, **kw))
