"""Process owners' pages: processes and versions, the modeler, diffs between versions, case migration."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from handlers import FORMS, SERVICES
from models import ROLES
from views.api.process_io import ensure_reader
from views.tx import commits
from workflows.deploy import known_messages
from workflows.diagram_checks import KINDS
from workflows.errors import DomainError
from workflows.migration import migrate_cases, plan_migration
from workflows.process_drafts import (
    ensure_process_owner,
    get_draft,
    get_version,
    process_catalogue,
    process_drafts,
    process_versions,
    republish_version,
)
from workflows.version_diff import diff_versions

from . import web


@web.get("/processes")
@login_required
def processes_page():
    """Every process with its versions."""
    ensure_reader(current_user)
    return render_template("processes.html", processes=process_catalogue())


@web.get("/processes/<key>")
@login_required
def process_page(key: str):
    """One process: its versions (edit, diff, re-publish, migrate) and open drafts."""
    ensure_reader(current_user)
    return render_template("process.html", key=key, versions=process_versions(key), drafts=process_drafts(key),
                           owner=current_user.role == "process_owner")


def _editor_config(key: str, base_version: int, draft_id: int | None, source_url: str) -> dict:
    return {
        "process": key, "base_version": base_version, "draft_id": draft_id, "source_url": source_url,
        "drafts_url": url_for("api.post_draft", key=key),
        "draft_page": url_for("web.process_page", key=key) + "/drafts/",
        "moddle_url": url_for("static", filename="js/spiffworkflow-moddle.json"),
        "roles": [[k, f"{k}（{v}）"] for k, v in ROLES.items()],
        "forms": [[k, f"{k}（{f.title}）"] for k, f in sorted(FORMS.items())],
        "services": [[k, k] for k in sorted(SERVICES)],
        "messages": sorted(known_messages()),
        "kinds": {f"bpmn:{k[0].upper()}{k[1:]}": v for k, v in KINDS.items()},
    }


@web.get("/processes/<key>/versions/<int:number>/edit")
@login_required
def edit_version(key: str, number: int):
    """The modeler opened on a version; the first save makes a new draft based on it."""
    ensure_process_owner(current_user)
    version = get_version(key, number)
    cfg = _editor_config(key, version.version, None, url_for("api.get_diagram", key=key, number=number))
    return render_template("process_editor.html", key=key, cfg=cfg, title=f"{version.title} 第 {number} 版")


@web.get("/processes/<key>/drafts/<int:draft_id>")
@login_required
def edit_draft(key: str, draft_id: int):
    """The modeler opened on a draft, with the problems of its last save marked."""
    ensure_process_owner(current_user)
    draft = get_draft(key, draft_id)
    base = draft.base_version.version if draft.base_version else None
    cfg = _editor_config(key, base, draft.id, url_for("api.get_draft_view", key=key, draft_id=draft.id))
    return render_template("process_editor.html", key=key, cfg=cfg, title=f"草稿 #{draft.id}（基于第 {base} 版）")


@web.post("/processes/<key>/versions/<int:number>/republish")
@login_required
@commits
def republish(key: str, number: int):
    """Publish an earlier version again as the newest (reason required)."""
    try:
        version = republish_version(current_user, key, number, request.form.get("reason"))
    except DomainError as err:
        if err.status != 422:
            raise
        flash(f"未发布：{err.message}")
        return redirect(url_for("web.process_page", key=key))
    flash(f"已将第 {number} 版重新发布为第 {version.version} 版")
    return redirect(url_for("web.process_page", key=key))


@web.get("/processes/<key>/diff")
@login_required
def diff_page(key: str):
    """Tasks added, removed and changed between two versions, listed and marked on both diagrams."""
    ensure_reader(current_user)
    versions = process_versions(key)
    new = get_version(key, request.args.get("to", type=int) or versions[0].version)
    old = get_version(key, request.args.get("from", type=int) or max(new.version - 1, 1))
    return render_template("process_diff.html", key=key, old=old, new=new, versions=versions,
                           diff=diff_versions(old, new))


@web.route("/processes/<key>/migrate", methods=["GET", "POST"])
@login_required
@commits
def migrate_page(key: str):
    """Dry run for running cases of older versions; migrate the selected ones."""
    versions = process_versions(key)
    target = request.values.get("to", type=int) or versions[0].version
    results = None
    if request.method == "POST":
        ids = [int(i) for i in request.form.getlist("case_ids") if i.isdigit()]
        try:
            results = migrate_cases(current_user, key, target, ids)
        except DomainError as err:
            if err.status != 422:
                raise
            flash(err.message + "：" + "；".join(m for ms in (err.errors or {}).values() for m in ms))
    plan = plan_migration(current_user, key, target)
    return render_template("process_migrate.html", key=key, versions=versions, target=target, plan=plan,
                           results=results)
