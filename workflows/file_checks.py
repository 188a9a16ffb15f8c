"""Uploads are parsed as what their first bytes claim (PDF structure, full image decode); polyglots are refused."""
import io
import re
import warnings

from PIL import Image
from pypdf import PdfReader

MAX_PIXELS = 60_000_000
# Markup a browser would render if it ever sniffed the file as HTML (a PDF/PNG/JPEG + HTML polyglot).
MARKUP = re.compile(rb"<\s*(?:html|script|body|iframe|!doctype\s+html)\b", re.IGNORECASE)
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


def structure_problem(content: bytes, mime: str) -> str | None:
    """Why `content` is not a whole, well-formed file of type `mime` (a Chinese sentence), or None."""
    name = NAMES[mime]
    if MARKUP.search(content):
        return f"文件中夹带了网页代码，不是单纯的 {name} 文件，已拒收"
    if mime == "application/pdf":
        ok = _pdf_ok(content)
    else:
        ok = _image_ok(content, IMAGE_FORMATS[mime])
    if ok is None:
        return f"图片尺寸过大（不超过 {MAX_PIXELS // 1_000_000} 百万像素）"
    return None if ok else f"文件虽以 {name} 开头，但内容不完整或不是有效的 {name} 文件，请重新导出后上传"


def _pdf_ok(content: bytes) -> bool:
    # Everything after the last %%EOF must be padding: no HTML, archive or other file appended.
    if not content.rstrip(b"\x00\t\n\x0c\r ").endswith(b"%%EOF"):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            return reader.trailer.get("/Root") is not None and len(reader.pages) >= 1
    except Exception:  # noqa: BLE001 - any parser failure on untrusted bytes means "not a PDF"
        return False


def _image_ok(content: bytes, fmt: str) -> bool | None:
    # The decoder must consume the file: nothing may follow PNG's IEND chunk or JPEG's EOI marker.
    if fmt == "PNG" and not content.endswith(b"IEND\xaeB`\x82"):
        return False
    if fmt == "JPEG" and not content.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                if img.format != fmt:
                    return False
                if img.width * img.height > MAX_PIXELS:
                    return None
                img.verify()
            with Image.open(io.BytesIO(content)) as img:
                img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except Exception:  # noqa: BLE001 - any decoder failure on untrusted bytes means "not this image type"
        return False
    return True
