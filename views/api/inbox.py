"""Inbox actions beside the list: batch claim (批量认领) and saved filters (常用筛选)."""
from views.tx import commits
from workflows.batch_claim import claim_tasks
from workflows.saved_filters import delete_filter, list_filters, save_filter

from . import api
from ._io import me, parse, task_dict
from .schemas import BatchClaimIn, BatchClaimOut, SavedFilterIn, SavedFilterOut, SavedFiltersOut

BATCH_OUT, FILTER_OUT, FILTERS_OUT = BatchClaimOut(), SavedFilterOut(), SavedFiltersOut()


@api.post("/inbox/claim")
@commits
def post_batch_claim():
    """Claim several tasks at once; each task has one winner, the rest are refused naming who was first.
    ---
    post:
      summary: 批量认领
      requestBody: {content: {application/json: {schema: BatchClaimIn}}}
      responses:
        200: {description: 全部认领, content: {application/json: {schema: BatchClaimOut}}}
        409: {description: 部分任务已被他人认领（其余已认领）, content: {application/json: {schema: BatchClaimOut}}}
    """
    user = me()
    body = parse(BatchClaimIn())
    claimed, refused = claim_tasks(user, body["task_ids"])
    out = {"claimed": [task_dict(t, user.username, user.display_name) for t in claimed], "refused": refused}
    if refused:
        out.update(error="conflict", message="；".join(r["message"] for r in refused))
        return BATCH_OUT.dump(out), 409
    return BATCH_OUT.dump(out)


@api.get("/inbox/filters")
def get_filters():
    """My saved filters of the inbox and the case list.
    ---
    get:
      summary: 常用筛选
      responses:
        200: {description: 常用筛选, content: {application/json: {schema: SavedFiltersOut}}}
    """
    user = me()
    rows = list_filters(user, "inbox") + list_filters(user, "cases")
    return FILTERS_OUT.dump({"items": rows})


@api.post("/inbox/filters")
@commits
def post_filter():
    """Save the current filter under a name (the same name replaces it).
    ---
    post:
      summary: 保存常用筛选
      requestBody: {content: {application/json: {schema: SavedFilterIn}}}
      responses:
        201: {description: 已保存, content: {application/json: {schema: SavedFilterOut}}}
    """
    body = parse(SavedFilterIn())
    row = save_filter(me(), body["page"], body["name"], body["query"])
    return FILTER_OUT.dump(row), 201


@api.delete("/inbox/filters/<int:filter_id>")
@commits
def delete_saved_filter(filter_id: int):
    """Remove one of my saved filters.
    ---
    delete:
      summary: 删除常用筛选
      responses:
        204: {description: 已删除}
    """
    delete_filter(me(), filter_id)
    return "", 204
