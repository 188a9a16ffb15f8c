"""Spot checks ([JC] 第十六条): rounds with their seed and samples, a reproducible draw, reports, 四不两直."""
from flask import request

from views.tx import commits
from workflows.errors import InvalidInput
from workflows.spot_checks import (
    acknowledge_round,
    draw,
    get_round,
    report_round,
    round_json,
    rounds_for,
    start_round,
    start_unannounced,
)

from . import api
from ._io import me


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象", {"_schema": ["请求内容应为 JSON 对象"]})
    return data


def _text(data: dict, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise InvalidInput("请更正标出的项目", {name: ["应为文本"]})
    return str(value)


@api.get("/spot-checks/draw")
def get_spot_check_draw():
    """The sample a seed gives for my county and a half-year (nothing saved; redo a recorded round's draw).
    ---
    get:
      summary: 抽查抽样（按随机种子重现）
      parameters:
        - {name: period, in: query, required: true, schema: {type: string}}
        - {name: seed, in: query, required: true, schema: {type: string}}
        - {name: county, in: query, required: false, schema: {type: string}}
      responses:
        200: {description: 各机构抽中的项目}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
        404: {description: 本市未规定抽查, content: {application/json: {schema: ErrorOut}}}
        422: {description: 校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    rounds_for(user)  # the roles that may see spot checks
    county = user.unit_code if user.role == "county_official" else request.args.get("county", "")
    raw = request.args.get("seed", "")
    if not raw.isdigit() or int(raw) >= 2**31:
        raise InvalidInput("请更正标出的项目", {"seed": ["应为 0 至 2147483647 之间的整数"]})
    return {"county": county, "seed": int(raw), "items": draw(county, request.args.get("period", ""), int(raw))}


@api.get("/spot-checks/rounds")
def get_spot_check_rounds():
    """Spot-check rounds I may see, newest first.
    ---
    get:
      summary: 抽查轮次
      responses:
        200: {description: 轮次}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
    """
    return {"items": [round_json(r) for r in rounds_for(me())]}


@api.post("/spot-checks/rounds")
@commits
def post_spot_check_round():
    """A county official starts the half-year round: the draw (seed recorded) and one case per agency.
    ---
    post:
      summary: 发起半年度抽查
      responses:
        201: {description: 已发起}
        403: {description: 无权发起, content: {application/json: {schema: ErrorOut}}}
        404: {description: 本市未规定抽查, content: {application/json: {schema: ErrorOut}}}
        409: {description: 已发起, content: {application/json: {schema: ErrorOut}}}
        422: {description: 校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    data = _body()
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | str)):
        raise InvalidInput("请更正标出的项目", {"seed": ["应为整数"]})
    rnd = start_round(me(), _text(data, "period"), _text(data, "inspectors"), seed)
    return round_json(rnd), 201


@api.get("/spot-checks/rounds/<int:round_id>")
def get_spot_check_round(round_id: int):
    """One round: seed, ratio, every agency's sample and conclusion.
    ---
    get:
      summary: 抽查轮次详情
      responses:
        200: {description: 轮次}
        403: {description: 无权查看, content: {application/json: {schema: ErrorOut}}}
        404: {description: 未找到, content: {application/json: {schema: ErrorOut}}}
    """
    return round_json(get_round(me(), round_id))


@api.post("/spot-checks/rounds/<int:round_id>/report")
@commits
def post_spot_check_report(round_id: int):
    """The county sends the round's inspection report to the city ([JC] 第十六条).
    ---
    post:
      summary: 报送检查报告
      responses:
        200: {description: 已报送}
        403: {description: 无权报送, content: {application/json: {schema: ErrorOut}}}
        404: {description: 未找到, content: {application/json: {schema: ErrorOut}}}
        409: {description: 尚未办结或已报送, content: {application/json: {schema: ErrorOut}}}
        422: {description: 校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    return round_json(report_round(me(), round_id, _text(_body(), "note")))


@api.post("/spot-checks/rounds/<int:round_id>/acknowledge")
@commits
def post_spot_check_acknowledge(round_id: int):
    """A city official confirms receipt of the county's report.
    ---
    post:
      summary: 确认收到检查报告
      responses:
        200: {description: 已确认}
        403: {description: 无权确认, content: {application/json: {schema: ErrorOut}}}
        404: {description: 未找到, content: {application/json: {schema: ErrorOut}}}
        409: {description: 尚未报送或已确认, content: {application/json: {schema: ErrorOut}}}
    """
    return round_json(acknowledge_round(me(), round_id))


@api.post("/spot-checks/unannounced")
@commits
def post_spot_check_unannounced():
    """A city official starts an unannounced (四不两直) check of one filed project; the agency is not told.
    ---
    post:
      summary: 发起“四不两直”检查
      responses:
        201: {description: 已发起}
        403: {description: 无权发起, content: {application/json: {schema: ErrorOut}}}
        404: {description: 本市未规定, content: {application/json: {schema: ErrorOut}}}
        422: {description: 校验失败, content: {application/json: {schema: ErrorOut}}}
    """
    row = start_unannounced(me(), _body().get("contract_id"))
    return {"case_id": row.case_id, "agency_id": row.agency_id}, 201
