"""Small documents written by the tests themselves: Chinese text in each format."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

BODY = "知识库全文检索测试"
TABLE_CELL = "研发部门测试报告"
HEADER = "内部资料页眉"
FOOTER = "第一版页脚说明"
AUTHOR = "张三"
TITLE = "测试文档"


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER
    section.footer.paragraphs[0].text = FOOTER
    document.add_paragraph(BODY)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = TABLE_CELL
    table.cell(0, 1).text = "第二列"
    document.core_properties.author = AUTHOR
    document.core_properties.title = TITLE
    document.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "客户清单"
    sheet.append(["姓名", "部门"])
    sheet.append(["李四", TABLE_CELL])
    workbook.save(path)
    return path


def write_pptx(path: Path) -> Path:
    import pptx
    from pptx.util import Inches

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = BODY
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = TABLE_CELL
    presentation.save(str(path))
    return path


def write_pdf(path: Path, pages: tuple[str, ...] = (BODY, TABLE_CELL)) -> Path:
    pytest.importorskip("reportlab", reason="reportlab writes the Chinese test PDFs")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setAuthor(AUTHOR)
    pdf.setTitle(TITLE)
    for text in pages:
        pdf.setFont("STSong-Light", 14)
        pdf.drawString(72, 700, text)
        pdf.showPage()
    pdf.save()
    return path


def encrypt_pdf(source: Path, target: Path, password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def encrypt_office(source: Path, target: Path, password: str) -> Path:
    import msoffcrypto

    with source.open("rb") as plain, target.open("wb") as out:
        msoffcrypto.OfficeFile(plain).encrypt(password, out)
    return target


def write_text_image(path: Path, text: str) -> Path:
    """Render Chinese text into a PNG for OCR (Noto CJK from fonts-noto-cjk)."""
    from PIL import Image, ImageDraw, ImageFont

    candidates = [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    ]
    font_path = next((p for p in candidates if Path(p).exists()), None)
    if font_path is None:
        pytest.skip("fonts-noto-cjk is needed to render the OCR test image")
    size = 32  # tesseract's chi_sim model reads a plain 32 px line reliably; 48+ px less so
    font = ImageFont.truetype(font_path, size)
    image = Image.new("L", (300 + size * len(text), size * 4), 255)
    ImageDraw.Draw(image).text((100, size), text, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path
