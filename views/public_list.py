"""The public agency list ([WJ] 第十四、二十一条): dated half-yearly snapshots, a search, the Excel copy."""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from handlers.registration import SERVICE_CATEGORIES
from views.tx import commits
from workflows import clock
from workflows.public_list import (
    COLUMNS,
    period_name,
    search,
    snapshot,
    snapshot_xlsx,
    snapshots,
    take_snapshot,
)

public_list = Blueprint("public_list", __name__, url_prefix="/public/list")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@public_list.get("")
def snapshots_page():
    """Every published snapshot, newest first; the latest is searched from here."""
    snaps = snapshots()
    return render_template("public/list_index.html", snaps=snaps, period_name=period_name)


@public_list.get("/<int:snapshot_id>")
def snapshot_page(snapshot_id: int):
    """One snapshot, searchable by name or credit code, service category and grade (or stars)."""
    snap = snapshot(snapshot_id)
    q, service, grade = (request.args.get(k, "").strip()[:100] for k in ("q", "service", "grade"))
    rows = search(snap.rows, q, service, grade)
    grades = sorted({r["grade"] for r in snap.rows} | {r["stars"] for r in snap.rows})
    return render_template("public/list_snapshot.html", snap=snap, rows=rows, q=q, service=service, grade=grade,
                           services=SERVICE_CATEGORIES, grades=grades, columns=COLUMNS, period_name=period_name)


@public_list.get("/<int:snapshot_id>.xlsx")
def snapshot_excel(snapshot_id: int):
    """The snapshot as an Excel file."""
    snap = snapshot(snapshot_id)
    return send_file(io.BytesIO(snapshot_xlsx(snap)), mimetype=XLSX, as_attachment=True,
                     download_name=f"机构名单-{period_name(snap.period)}-{snap.taken_on.isoformat()}.xlsx")


@public_list.post("/publish")
@login_required
@commits
def publish():
    """An official publishes a snapshot now (besides the half-yearly one taken by the timer worker)."""
    snap = take_snapshot(clock.now(), current_user)
    flash(f"已发布{period_name(snap.period)}机构名单（{len(snap.rows)}家）")
    return redirect(url_for("public_list.snapshot_page", snapshot_id=snap.id))
