"""Render the format-neutral document specs of kb/demo/content/documents.py to real files."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable

MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "html": "text/html",
}


def render_document(spec: dict) -> bytes:
    """Return the bytes of the file described by `spec`, in its "format"."""
    return RENDERERS[spec["format"]](spec)


def _docx(spec: dict) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    # Word falls back to a Latin-only font for East Asian text unless eastAsia is set.
    for style_name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = doc.styles[style_name]
        style.font.name = "Microsoft YaHei"
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "微软雅黑")
    doc.core_properties.title = spec["title"]
    doc.core_properties.author = spec["author"]
    doc.add_heading(spec["title"], level=0)
    for section in spec["sections"]:
        doc.add_heading(section["heading"], level=1)
        for paragraph in section.get("paragraphs", []):
            doc.add_paragraph(paragraph)
        rows = section.get("table")
        if rows:
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    return _save(doc)


def _xlsx(spec: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = spec["title"]
    workbook.properties.creator = spec["author"]
    for sheet in spec["sheets"]:
        worksheet = workbook.create_sheet(sheet["name"])
        for row in sheet["rows"]:
            worksheet.append(row)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for column in worksheet.columns:
            longest = max(len(str(cell.value or "")) for cell in column)
            # CJK characters are two columns wide in Excel.
            worksheet.column_dimensions[column[0].column_letter].width = min(60, longest * 2 + 2)
    return _save(workbook)


def _pptx(spec: dict) -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    presentation.core_properties.title = spec["title"]
    presentation.core_properties.author = spec["author"]
    for number, slide_spec in enumerate(spec["slides"]):
        layout = presentation.slide_layouts[0 if number == 0 else 1]
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = slide_spec["title"]
        body = slide.placeholders[1].text_frame
        body.text = slide_spec["bullets"][0] if slide_spec["bullets"] else ""
        for bullet in slide_spec["bullets"][1:]:
            body.add_paragraph().text = bullet
    return _save(presentation)


def _pdf(spec: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    # A CID font built into every PDF reader: draws Chinese without embedding a font file.
    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, spaceAfter=12)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=20, spaceBefore=10)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, title=spec["title"], author=spec["author"])
    story = [Paragraph(html.escape(spec["title"]), title)]
    for section in spec["sections"]:
        story.append(Paragraph(html.escape(section["heading"]), heading))
        for paragraph in section.get("paragraphs", []):
            story.append(Paragraph(html.escape(paragraph), body))
        rows = section.get("table")
        if rows:
            cells = [[Paragraph(html.escape(value), body) for value in row] for row in rows]
            table = Table(cells, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ]
                )
            )
            story += [Spacer(1, 4), table]
    pdf.build(story)
    return buffer.getvalue()


def _plain_text(spec: dict) -> str:
    lines = [spec["title"], ""]
    for section in spec["sections"]:
        lines += [f"【{section['heading']}】"] + section.get("paragraphs", []) + [""]
        for row in section.get("table", []):
            lines.append("\t".join(row))
    return "\r\n".join(lines)  # the call-centre software this mimics runs on Windows


def _txt(spec: dict) -> bytes:
    # Many Chinese Windows tools still write GBK; extraction must cope with it.
    return _plain_text(spec).encode("gbk")


def _csv(spec: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(spec["sheets"][0]["rows"])
    # The BOM makes Excel open UTF-8 CSV as UTF-8 instead of the ANSI code page.
    return buffer.getvalue().encode("utf-8-sig")


def _md(spec: dict) -> bytes:
    lines = [f"# {spec['title']}", ""]
    for section in spec["sections"]:
        lines += [f"## {section['heading']}", ""]
        for paragraph in section.get("paragraphs", []):
            lines += [paragraph, ""]
        rows = section.get("table")
        if rows:
            lines.append("| " + " | ".join(rows[0]) + " |")
            lines.append("|" + "---|" * len(rows[0]))
            lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
            lines.append("")
    return "\n".join(lines).encode("utf-8")


def _html(spec: dict) -> bytes:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{esc(spec['title'])}</title></head><body>",
        f"<h1>{esc(spec['title'])}</h1>",
    ]
    for section in spec["sections"]:
        parts.append(f"<h2>{esc(section['heading'])}</h2>")
        parts += [f"<p>{esc(p)}</p>" for p in section.get("paragraphs", [])]
        rows = section.get("table")
        if rows:
            parts.append("<table>")
            parts.append("<tr>" + "".join(f"<th>{esc(v)}</th>" for v in rows[0]) + "</tr>")
            for row in rows[1:]:
                parts.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def _save(office_document) -> bytes:
    buffer = io.BytesIO()
    office_document.save(buffer)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[dict], bytes]] = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
    "txt": _txt,
    "csv": _csv,
    "md": _md,
    "html": _html,
}
