"""Document endpoints: upload to a case (multipart `file`, `kind`), download with access checks."""
from flask import request

from models import Case, Document, db
from views.downloads import document_response
from views.tx import commits
from workflows.documents import readable_document, upload_document
from workflows.queries import visible_case

from . import api
from ._io import me
from .schemas import DOCUMENT_OUT


@api.post("/cases/<int:case_id>/documents")
@commits
def post_document(case_id: int):
    """Upload a PDF, JPEG or PNG (≤ 20 MB) to a case.
    ---
    post:
      summary: 上传材料
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, kind]
              properties:
                file: {type: string, format: binary, description: PDF、JPEG 或 PNG，不超过20MB}
                kind: {type: string, pattern: "^[a-z][a-z0-9_]{0,63}$", description: 材料类别}
      responses:
        201: {description: 已上传, content: {application/json: {schema: DocumentOut}}}
        422: {description: 文件不符合要求, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    case = visible_case(user, case_id)
    upload = request.files.get("file")
    doc = upload_document(user, case, filename=upload.filename if upload else "",
                          content=upload.read() if upload else b"", kind=request.form.get("kind", ""))
    return DOCUMENT_OUT.dump(doc), 201


@api.get("/documents/<int:doc_id>")
def get_document(doc_id: int):
    """Download a document of a case I may see.
    ---
    get:
      summary: 下载材料
      responses:
        200: {description: 文件}
        403: {description: 无权下载, content: {application/json: {schema: ErrorOut}}}
    """
    user = me()
    doc = db.session.get(Document, doc_id)
    case = db.session.get(Case, doc.case_id) if doc else None
    doc = readable_document(user, doc, case)
    return document_response(doc)
