"""Issue 10 · uploads: a file is parsed as what its first bytes claim; polyglots and damaged files are refused."""
import io
import zipfile

import pytest
from PIL import Image

from models import AuditEvent, Document, db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def _image(fmt: str, size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.bin", b"\0" * (16 * 1024 * 1024))
    return out.getvalue()


@pytest.fixture
def uploader(api_as):
    """(agency api, case id) of a fresh running registration case."""
    agency = api_as("agency")
    case = agency.post("/api/cases", json={"process": "registration"}).get_json()
    return agency, case["id"]


REFUSED = {
    "pdf_header_then_html": lambda: b"%PDF-1.4\n" + HTML,
    "whole_pdf_then_html": lambda: _image("PDF") + HTML,
    "png_then_html": lambda: _image("PNG") + HTML,
    "jpeg_then_html": lambda: _image("JPEG") + HTML,
    "html_in_jpeg_comment": lambda: _image("JPEG")[:2] + b"\xff\xfe\x00\x50" + HTML.ljust(78) + _image("JPEG")[2:],
    "zip_bomb_behind_pdf_magic": lambda: b"%PDF-1.7\n" + _zip_bomb(),
    "truncated_pdf": lambda: _image("PDF")[:-60],
    "truncated_png": lambda: _image("PNG", (64, 64))[:-30],
    "truncated_jpeg": lambda: _image("JPEG", (64, 64))[:-40],
    "pdf_without_pages": lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_polyglot_or_damaged_upload_is_refused_in_chinese_and_nothing_is_saved(uploader, name):
    """Issue 10: the type was judged by the first bytes only, so these were stored and served."""
    agency, case_id = uploader
    docs, events = db.session.query(Document).count(), db.session.query(AuditEvent).count()
    res = agency.upload(case_id, "business_license", REFUSED[name](), "执照.pdf")
    assert res.status_code == 422, res.get_json()
    [message] = res.get_json()["errors"]["file"]
    assert ("不是有效的" in message or "网页代码" in message) and message.isascii() is False
    db.session.remove()
    assert db.session.query(Document).count() == docs
    assert db.session.query(AuditEvent).count() == events


@pytest.mark.parametrize("fmt", ["PDF", "PNG", "JPEG"])
def test_real_small_files_are_accepted_and_served_as_they_were_sent(uploader, fmt):
    """Files written by a real encoder (Pillow) pass the structure check byte for byte."""
    agency, case_id = uploader
    content = _image(fmt)
    res = agency.upload(case_id, "business_license", content, f"执照.{fmt.lower()}")
    assert res.status_code == 201, res.get_json()
    assert agency.get(f"/api/documents/{res.get_json()['id']}").data == content


@pytest.mark.parametrize("url", ["/api/documents/{id}", "/documents/{id}"])
def test_downloads_are_attachments_the_browser_must_not_sniff(uploader, url):
    """Issue 10: every download carries nosniff and Content-Disposition: attachment (API and web page)."""
    agency, case_id = uploader
    doc_id = agency.upload(case_id, "business_license", _image("PNG"), "执照.png").get_json()["id"]
    res = agency.client.get(url.format(id=doc_id), headers=agency._h())
    assert res.status_code == 200
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in res.headers["Content-Security-Policy"]
