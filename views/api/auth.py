"""POST /api/tokens: exchange a username and password for a bearer token."""
from flask import current_app

from views.tx import commits
from workflows.people import authenticate, issue_token

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
    """
    body = parse(TokenIn())
    user = authenticate(body["username"], body["password"])
    return {"token": issue_token(user), "expires_in": current_app.config["API_TOKEN_HOURS"] * 3600}, 201
