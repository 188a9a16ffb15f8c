"""Loading a submitted task form: marshmallow first, then the form's own cross-record checks."""
from marshmallow import ValidationError

from handlers import FORMS

from .errors import InvalidInput, NotFound


def form_for(key: str):
    """The registered FormSpec of a task, or NotFound."""
    spec = FORMS.get(key)
    if spec is None:
        raise NotFound(f"表单“{key}”未注册")
    return spec


def load_form(key: str, payload: dict, ctx) -> dict:
    """Validate a submission; InvalidInput (422) with Chinese field messages when anything is wrong."""
    spec = form_for(key)
    try:
        data = spec.schema(ctx.settings).load(payload or {})
    except ValidationError as err:
        errors = _flatten(err.messages)
        if spec.validate:  # report the cross-record problems of the valid part too, all at once
            for name, msgs in (spec.validate(ctx, dict(err.valid_data or {})) or {}).items():
                errors.setdefault(name, msgs)
        raise InvalidInput("提交的内容有误，请按提示修改", errors) from None
    if spec.validate:
        errors = spec.validate(ctx, data)
        if errors:
            raise InvalidInput("提交的内容有误，请按提示修改", errors)
    return data


def _flatten(messages) -> dict:
    if isinstance(messages, dict):
        return {str(k): v if isinstance(v, list) else [str(v)] for k, v in messages.items()}
    return {"_schema": list(messages)}
