"""The inbox: search, sort, pages, tab counts (我的 / 待认领 / 逾期), 已办, claim and batch claim, saved filters."""
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from handlers import PROCESSES
from views.tx import commits
from workflows.batch_claim import claim_tasks
from workflows.errors import InvalidInput, NotAllowed, NotFound
from workflows.labels import label
from workflows.queries import inbox_counts
from workflows.saved_filters import KEYS, delete_filter, list_filters, save_filter
from workflows.worklists import InboxQuery, done_page, inbox_query, inbox_tab_counts
from workflows.worklists import inbox_page as inbox_rows

from . import web


def _args(f: InboxQuery, **over) -> dict:
    """The page's query arguments (without defaults), with some replaced: for links and the pager."""
    out = {"scope": f.scope, "process": f.process, "overdue": "1" if f.overdue else None, "q": f.q or None,
           "sort": f.sort if f.sort != "due" else None, "page": f.page if f.page > 1 else None,
           "per_page": f.per_page if f.per_page != 20 else None}
    out.update(over)
    return {k: v for k, v in out.items() if v not in (None, "")}


@web.get("/inbox")
@login_required
def inbox_page():
    """Tasks due first (or newest first), overdue in red, searched and paged; 已办 lists what I completed."""
    errors, status = {}, 200
    try:
        f = inbox_query(request.args)
    except InvalidInput as err:
        errors, status, f = err.errors or {}, 422, InboxQuery()
    rows, done, total = [], [], 0
    if not errors:
        if f.scope == "done":
            done, total = done_page(current_user, f.page, f.per_page, f.q)
            for d in done:
                d["lines"] = _submitted_lines(d["form"], d["submitted"])
        else:
            rows, total = inbox_rows(current_user, f)
    pages = max(1, -(-total // f.per_page))
    saved = list_filters(current_user, "inbox")
    return render_template("inbox.html", rows=rows, done=done, total=total, pages=pages, f=f, args=_args,
                           scope=f.scope, process=f.process, overdue=f.overdue, errors=errors, saved=saved,
                           tabs=inbox_tab_counts(current_user), counts=inbox_counts(current_user),
                           processes=PROCESSES, saved_query=urlencode(_args(f, page=None))), status



READ_ONLY_ROLES = ("auditor", "admin", "process_owner")  # they hold no tasks


@web.post("/inbox/claim")
@login_required
@commits
def inbox_claim():
    """认领 one task (its row's button) or the ticked ones (批量认领); each task has one winner."""
    ids = [request.form["one"]] if request.form.get("one") else request.form.getlist("task_ids")
    ids = [i for i in ids if i and len(i) <= 36][:100]
    if current_user.role in READ_ONLY_ROLES:
        raise NotAllowed("您的角色不办理任务，不能认领")
    if not ids:
        flash("请先勾选要认领的任务")
        return redirect(url_for("web.inbox_page", **_back()))
    claimed, refused = claim_tasks(current_user, ids)
    if claimed:
        flash(f"已认领 {len(claimed)} 项任务")
    for r in refused:
        flash(r["message"])
    return redirect(url_for("web.inbox_page", **_back()))


def _submitted_lines(form_key: str, submitted: dict) -> list[tuple[str, str]]:
    """What I submitted, as (field label, value) lines (an expert's scoring: each finding entered)."""
    from views.forms import form_fields
    try:
        specs = form_fields(form_key)
    except NotFound:  # a form no longer shipped: nothing to label
        return []
    out = []
    for spec in specs:
        value = submitted.get(spec["name"])
        if value in (None, "", 0, False, [], {}) or isinstance(value, dict | list):
            continue
        choices = {str(c[0]): c[1] for c in spec["choices"] if isinstance(c, list | tuple) and len(c) == 2}
        shown = "是" if value is True else choices.get(str(value)) or label("decision", value, str(value))
        out.append((spec["label"], shown[:200]))
    return out


def _back() -> dict:
    """The inbox filter the form came from (hidden field `back`, a query string of known keys)."""
    from urllib.parse import parse_qsl
    allowed = set(KEYS["inbox"]) | {"page"}
    return {k: v for k, v in parse_qsl(request.form.get("back", "")) if k in allowed}


@web.post("/inbox/filters")
@login_required
@commits
def inbox_save_filter():
    """Keep the current inbox filter under a name (常用筛选)."""
    page = request.form.get("page", "inbox")
    row = save_filter(current_user, page if page in KEYS else "inbox", request.form.get("name", ""),
                      request.form.get("query", ""))
    flash(f"已保存常用筛选“{row.name}”")
    target = "web.cases_page" if row.page == "cases" else "web.inbox_page"
    return redirect(url_for(target) + ("?" + row.query if row.query else ""))


@web.post("/inbox/filters/<int:filter_id>/delete")
@login_required
@commits
def inbox_delete_filter(filter_id: int):
    """Remove one of my saved filters."""
    delete_filter(current_user, filter_id)
    flash("已删除常用筛选")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("web.inbox_page"))
