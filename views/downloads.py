"""Stored documents go out as attachments the browser must not sniff or render."""
import io

from flask import Response, send_file

from models import Document


def document_response(doc: Document) -> Response:
    """The file as a download: Content-Disposition attachment, nosniff, and a sandbox should it be opened."""
    res = send_file(io.BytesIO(doc.content), mimetype=doc.content_type, as_attachment=True,
                    download_name=doc.filename)
    res.headers["X-Content-Type-Options"] = "nosniff"
    res.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return res
