"""Previews of what will be served or published, shown to the person who signs before it leaves the bureau."""
import io

from workflows.clock import now
from workflows.context import StepContext


def docx_text(content: bytes) -> str:
    """The text of a .docx, paragraph by paragraph, then table cells row by row."""
    import docx
    d = docx.Document(io.BytesIO(content))
    lines = [p.text for p in d.paragraphs if p.text.strip()]
    for table in d.tables:
        for row in table.rows:
            lines.append("　".join(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip())))
    return "\n".join(lines)


def document_panel(title: str, render, ctx, data: dict, note: str) -> list[dict]:
    """One panel with the rendered document (`render(step_ctx, data)` → .docx bytes, …) as it would be issued now."""
    step = StepContext(case=ctx.case, actor=getattr(ctx, "viewer", None), now=now(), settings=dict(ctx.settings))
    try:
        result = render(step, data)
    except Exception as err:  # noqa: BLE001 - a preview that cannot be rendered must say so, not hide the task
        return [{"title": title, "rows": [("文书预览", f"无法生成预览：{getattr(err, 'message', '文书信息不完整')}")]}]
    content = result[0] if isinstance(result, tuple) else result
    return [{"title": title, "text": docx_text(content), "note": note}]
