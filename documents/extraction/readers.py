"""Second readers, one per format, for when Tika fails on a valid file or misses its text.

Bare Tika fails on some valid Chinese .docx ("Unexpected RuntimeException from OOXMLParser") and
mis-decodes plain text in legacy charsets; these readers are the fallback, and for plain text the
first choice. Each returns text plus whatever metadata the format offers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .text import decode_bytes

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WORD_PARTS = ("document", "header", "footer", "footnotes", "endnotes", "comments")
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Text formats whose bytes are the text; everything else under text/ (rtf, xml) goes to Tika.
_PLAIN_TYPES = {
    "text/plain",
    "text/csv",
    "text/tab-separated-values",
    "text/markdown",
    "text/x-log",
}


@dataclass
class ReadResult:
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reader:
    name: str
    read: Callable[[Path], ReadResult]
    primary: bool = False  # read with this even when the engine succeeded


def reader_for(mime: str, path: Path) -> Reader | None:
    """Return the second reader for a MIME type, or None when there is none."""
    if mime in _PLAIN_TYPES:
        return Reader("charset-normalizer", read_plain_text, primary=True)
    if mime in _HTML_TYPES:
        return Reader("html", read_html)
    if mime.endswith("wordprocessingml.document") or mime.endswith("wordprocessingml.template"):
        return Reader("python-docx", read_docx)
    if mime.endswith("spreadsheetml.sheet") or mime.endswith("spreadsheetml.template"):
        return Reader("openpyxl", read_xlsx)
    if mime.endswith("presentationml.presentation") or mime.endswith("presentationml.slideshow"):
        return Reader("python-pptx", read_pptx)
    if mime == "application/pdf":
        return Reader("pypdf", read_pdf)
    return None


def read_plain_text(path: Path) -> ReadResult:
    """Decode a plain-text file in whatever charset it was written in."""
    text, encoding = decode_bytes(path.read_bytes())
    return ReadResult(text, {"encoding": encoding})


def read_html(path: Path) -> ReadResult:
    """Strip tags, scripts and styles from an HTML file."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    text = soup.get_text("\n")
    return ReadResult(text, {"title": title} if title else {})


def _word_paragraph_text(paragraph) -> str:
    parts: list[str] = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        # Text boxes nest paragraphs inside paragraphs: each node belongs to its nearest one.
        if next(node.iterancestors(f"{_W}p"), None) is not paragraph:
            continue
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _word_parts(document) -> Iterator[Any]:
    package = document.part.package
    main = document.part
    yield main
    for part in package.iter_parts():
        if part is main:
            continue
        name = str(part.partname).rsplit("/", 1)[-1]
        if name.startswith(_WORD_PARTS[1:]) and name.endswith(".xml"):
            yield part


def _metadata(*, author=None, title=None, created=None, **extra: Any) -> dict[str, Any]:
    """Return the file properties that are set, under the keys every reader uses."""
    metadata: dict[str, Any] = dict(extra)
    if author:
        metadata["author"] = str(author)
    if title:
        metadata["title"] = str(title)
    if created:
        metadata["created"] = created.isoformat()
    return metadata


def read_docx(path: Path) -> ReadResult:
    """Read body, tables, text boxes, headers, footers, notes and comments of a .docx."""
    import docx
    from lxml import etree

    document = docx.Document(str(path))
    chunks: list[str] = []
    for part in _word_parts(document):
        root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
        for paragraph in root.iter(f"{_W}p"):
            # A text box is stored twice (DrawingML and a VML fallback); read it once.
            if any(a.tag == _MC_FALLBACK for a in paragraph.iterancestors()):
                continue
            line = _word_paragraph_text(paragraph)
            if line.strip():
                chunks.append(line)
    props = document.core_properties
    metadata = _metadata(author=props.author, title=props.title, created=props.created)
    return ReadResult("\n".join(chunks), metadata)


def read_xlsx(path: Path) -> ReadResult:
    """Read every sheet of an .xlsx, one line per row, cells separated by tabs."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value not in (None, "")]
                if cells:
                    lines.append("\t".join(cells))
        props = workbook.properties
        metadata = _metadata(author=props.creator, title=props.title, created=props.created)
    finally:
        workbook.close()
    return ReadResult("\n".join(lines), metadata)


def _shape_texts(shapes) -> Iterator[str]:
    for shape in shapes:
        if getattr(shape, "shapes", None) is not None:  # a group
            yield from _shape_texts(shape.shapes)
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            yield shape.text_frame.text
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)


def read_pptx(path: Path) -> ReadResult:
    """Read the shapes, tables and notes of every slide of a .pptx."""
    import pptx

    presentation = pptx.Presentation(str(path))
    lines: list[str] = []
    for slide in presentation.slides:
        lines.extend(_shape_texts(slide.shapes))
        if slide.has_notes_slide:
            lines.append(slide.notes_slide.notes_text_frame.text)
    props = presentation.core_properties
    metadata = _metadata(
        author=props.author, title=props.title, page_count=len(presentation.slides)
    )
    return ReadResult("\n".join(line for line in lines if line.strip()), metadata)


def read_pdf(path: Path) -> ReadResult:
    """Read the text layer of every page of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    pages = [page.extract_text() or "" for page in reader.pages]
    info = reader.metadata
    metadata = _metadata(
        author=info and info.author,
        title=info and info.title,
        created=info and info.creation_date,
        page_count=len(pages),
    )
    return ReadResult("\n\n".join(pages), metadata)
