"""Saved filters (常用筛选): a user names the current filter of the inbox or the case list and reopens it."""
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from models import SavedFilter, db

from . import clock
from .errors import Conflict, InvalidInput, NotFound

KEYS = {"inbox": ("scope", "process", "overdue", "q", "sort", "per_page"),
        "cases": ("process", "status", "unit", "from", "to", "q", "step", "holder", "per_page")}
MAX_PER_USER = 30


def clean_query(page: str, query: str) -> str:
    """The query string with only the filter keys of `page` (no page number), in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k in KEYS[page] and v]
    return urlencode(sorted(pairs))


def list_filters(user, page: str) -> list[SavedFilter]:
    """A user's saved filters of one list page, by name."""
    return list(db.session.execute(select(SavedFilter).where(SavedFilter.user_id == user.id,
                                                             SavedFilter.page == page)
                                   .order_by(SavedFilter.name)).scalars())


def save_filter(user, page: str, name: str, query: str) -> SavedFilter:
    """Keep the current filter under a name (the same name replaces it)."""
    if page not in KEYS:
        raise InvalidInput("页面无效", {"page": ["应为 inbox 或 cases"]})
    name = (name or "").strip()
    if not name or len(name) > 40 or "\x00" in name:
        raise InvalidInput("请填写筛选名称（不超过40字）", {"name": ["请填写筛选名称（不超过40字）"]})
    if len(query or "") > 1000 or "\x00" in (query or ""):
        raise InvalidInput("筛选条件过长", {"query": ["筛选条件过长"]})
    mine = list_filters(user, page)
    row = next((f for f in mine if f.name == name), None)
    if row is None:
        if len(mine) >= MAX_PER_USER:
            raise Conflict(f"每个列表最多保存{MAX_PER_USER}个常用筛选，请先删除不用的")
        row = SavedFilter(user_id=user.id, page=page, name=name, created_at=clock.now())
        db.session.add(row)
    row.query = clean_query(page, query)
    db.session.flush()
    return row


def delete_filter(user, filter_id: int) -> None:
    """Remove one of my saved filters."""
    row = db.session.get(SavedFilter, filter_id) if 0 < filter_id < 2**31 else None
    if row is None or row.user_id != user.id:
        raise NotFound("常用筛选不存在")
    db.session.delete(row)
    db.session.flush()
