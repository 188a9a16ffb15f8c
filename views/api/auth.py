"""POST /api/tokens: exchange a username and password for a bearer token; DELETE /api/tokens/current ends it."""
from flask import current_app, request

from views.security import login_checked
from views.tx import commits
from workflows.errors import NotAuthenticated
from workflows.people import issue_token, revoke_token, user_for_token

from . import api
from ._io import parse
from .schemas import TokenIn


@api.post("/tokens")
@commits
def create_token():
    """Log in for the API.
    ---
    post:
      summary: 获取访问令牌
      requestBody: {content: {application/json: {schema: TokenIn}}}
      responses:
        201: {description: 令牌, content: {application/json: {schema: TokenOut}}}
        401: {description: 用户名或密码不正确, content: {application/json: {schema: ErrorOut}}}
        429: {description: 请求过于频繁, content: {application/json: {schema: ErrorOut}}}
    """
    body = parse(TokenIn())
    user = login_checked(body["username"], body["password"])
    return {"token": issue_token(user), "expires_in": current_app.config["API_TOKEN_HOURS"] * 3600}, 201


@api.delete("/tokens/current")
@commits
def delete_current_token():
    """Revoke the bearer token this request carries.
    ---
    delete:
      summary: 注销当前访问令牌
      responses:
        204: {description: 已注销}
        401: {description: 未提供有效的访问令牌, content: {application/json: {schema: ErrorOut}}}
    """
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    user = user_for_token(token) if token else None
    if user is None:
        raise NotAuthenticated("请提供有效的访问令牌")
    revoke_token(token, actor=user)
    return "", 204
