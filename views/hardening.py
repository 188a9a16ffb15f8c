"""Input the database cannot hold is refused at the door: ids beyond its integers (404) and NUL (422).

PostgreSQL rejects NUL in text and an INTEGER column (ids, versions) holds at most 2**31-1; left to reach a
query, either becomes a 500. One URL converter, one before-request check (NUL anywhere, numbers beyond
64 bits) and one bound on marshmallow's Integer cover every route and form.
"""
from flask import Flask, request
from marshmallow import ValidationError, fields
from werkzeug.routing import IntegerConverter

from workflows.errors import InvalidInput

DB_INT_MAX = 2**31 - 1  # INTEGER columns on PostgreSQL (ids, versions, counts)
INT_MAX = 2**63 - 1
NUL_MESSAGE = "不能包含空字符（NUL）"
RANGE_MESSAGE = f"数值超出范围（绝对值不超过{INT_MAX}）"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` that matches only what an INTEGER id holds; a larger id is simply a page that does not exist.

    The pattern itself admits only 0 … 2**31−1, so a larger id matches no rule at all (404), rather than
    matching a same-path rule of another method first (405)."""

    regex = (r"(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
             r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])")

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


_integer_deserialize = fields.Integer._deserialize


def _bounded_deserialize(self, value, attr, data, **kwargs):
    """marshmallow's Integer, refusing what no INTEGER column holds (every form and API schema at once)."""
    number = _integer_deserialize(self, value, attr, data, **kwargs)
    if number is not None and abs(number) > DB_INT_MAX:
        raise ValidationError(f"数值超出范围（绝对值不超过{DB_INT_MAX}）")
    return number


def _too_big(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return abs(value) > INT_MAX
    if isinstance(value, str) and 19 <= len(value) <= 4000:
        try:
            return abs(int(value)) > INT_MAX  # what marshmallow's Integer and int() would accept
        except ValueError:
            return False
    return False


def _problem(value) -> str | None:
    """The first reason a submitted value cannot be stored, looking inside lists and objects."""
    if isinstance(value, str):
        return NUL_MESSAGE if "\x00" in value else (RANGE_MESSAGE if _too_big(value) else None)
    if isinstance(value, dict):
        for key, item in value.items():
            found = _problem(key) or _problem(item)
            if found:
                return found
        return None
    if isinstance(value, list):
        for item in value:
            found = _problem(item)
            if found:
                return found
        return None
    return RANGE_MESSAGE if _too_big(value) else None


def _submitted() -> list[tuple[str, object]]:
    """(field name, value) for the path, the Authorization header, query, form, file names and JSON body."""
    items: list[tuple[str, object]] = [("path", request.path),
                                       ("Authorization", request.headers.get("Authorization", ""))]
    items += [(k, [k, *request.args.getlist(k)]) for k in request.args]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            items += [(k, [k, *request.form.getlist(k)]) for k in request.form]
            items += [(k, [k, *(f.filename or "" for f in request.files.getlist(k))]) for k in request.files]
        elif request.is_json:
            body = request.get_json(silent=True)
            if isinstance(body, dict):
                items += [(k, [k, v]) for k, v in body.items()]
            elif body is not None:
                items.append(("_schema", body))
    return items


def refuse_unstorable_input() -> None:
    """Before every request: 422 naming the field that holds a NUL or an integer beyond 64 bits."""
    errors = {}
    for name, value in _submitted():
        found = _problem(value)
        if found:
            errors.setdefault(str(name).replace("\x00", "\\0"), [found])
    if errors:
        raise InvalidInput("提交的内容有误：" + "；".join(m[0] for m in errors.values()), errors)


def init_hardening(app: Flask) -> None:
    """Install the bounded `int` converter (before any blueprint is registered) and the input check."""
    app.url_map.converters["int"] = BoundedIntConverter
    fields.Integer._deserialize = _bounded_deserialize
    app.before_request(refuse_unstorable_input)
