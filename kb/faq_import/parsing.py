"""Read an FAQ spreadsheet (.xlsx or CSV of any charset) into rows keyed by field name."""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _

from documents.extraction.text import decode_bytes

MAX_FILE_MB = 20
MAX_ROWS = 5000
# A title line or two above the headings is common in exported FAQ lists.
HEADER_SEARCH_ROWS = 5
MAX_BLANK_RUN = 10_000

QUESTION = "question"
ANSWER = "answer"
CATEGORY = "category"
TAGS = "tags"
ALTERNATIVES = "alternatives"
PRODUCTS = "products"
CONFIDENTIALITY = "confidentiality"
DEPARTMENTS = "departments"

# Headings are compared after _normalise_heading: NFKC, case-folded, without spaces, underscores,
# hyphens, asterisks and bracketed remarks such as "（必填）".
HEADINGS: dict[str, tuple[str, ...]] = {
    QUESTION: ("问题", "标准问题", "常见问题", "问", "question", "questions", "q", "faq"),
    ANSWER: ("答案", "回答", "解答", "答复", "标准答案", "answer", "answers", "a", "reply"),
    CATEGORY: (
        "分类",
        "类别",
        "类目",
        "所属分类",
        "知识分类",
        "分类路径",
        "目录",
        "category",
        "categories",
        "categorypath",
    ),
    TAGS: ("标签", "关键词", "关键字", "tags", "tag", "keywords"),
    ALTERNATIVES: (
        "其他问法",
        "其它问法",
        "相似问题",
        "相似问法",
        "同义问题",
        "扩展问题",
        "alternatives",
        "alternativequestions",
        "otherphrasings",
        "similarquestions",
    ),
    PRODUCTS: ("适用产品", "产品", "产品型号", "products", "product", "appliestoproducts"),
    CONFIDENTIALITY: ("密级", "保密级别", "可见范围", "confidentiality", "visibility"),
    DEPARTMENTS: (
        "所属部门",
        "归属部门",
        "部门",
        "department",
        "departments",
        "owningdepartments",
        "owningdepartment",
    ),
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_HEADING_JUNK = re.compile(r"[\s_\-*:：]+")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
_CSV_EXTENSIONS = {".csv", ".tsv", ".txt"}
_DELIMITERS = (",", "\t", ";")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FaqFileError(Exception):
    """The file as a whole cannot be read as an FAQ list; the message is for the user."""


@dataclass
class SheetRow:
    number: int  # the row number a spreadsheet program shows; the heading row is 1 in most files
    cells: dict[str, str]


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    rows: list[SheetRow]
    columns: dict[str, str]  # field -> heading as written in the file
    ignored: list[str] = field(default_factory=list)  # headings that match no field
    header_row: int = 1
    encoding: str = ""
    delimiter: str = ""


def _normalise_heading(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _BRACKETED.sub("", text)
    return _HEADING_JUNK.sub("", text)


_FIELD_BY_HEADING = {
    _normalise_heading(heading): name for name, headings in HEADINGS.items() for heading in headings
}


def field_for_heading(text: str) -> str | None:
    """Return the field a column heading names (Chinese or English, any case), or None."""
    return _FIELD_BY_HEADING.get(_normalise_heading(text))


def accepted_headings(name: str) -> str:
    """Return the headings accepted for a field, for messages: "问题 / question"."""
    return " / ".join(HEADINGS[name][:1] + tuple(h for h in HEADINGS[name] if h.isascii())[:1])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def parse_faq_file(data: bytes, filename: str) -> Sheet:
    """Read an uploaded FAQ list; raise FaqFileError with a message for the user."""
    if not data.strip():
        raise FaqFileError(_("The file is empty."))
    if len(data) > MAX_FILE_MB * 1024 * 1024:
        raise FaqFileError(
            _("The file is larger than the limit of %(limit)s MB.") % {"limit": MAX_FILE_MB}
        )
    extension = PurePath(filename or "").suffix.lower()
    if data.startswith(_OLE_MAGIC) or extension == ".xls":
        raise FaqFileError(
            _(
                "This is an old Excel 97–2003 workbook (.xls); save it as .xlsx or CSV "
                "and upload it again."
            )
        )
    if data.startswith(_ZIP_MAGIC) or extension in _XLSX_EXTENSIONS:
        return _sheet("xlsx", _xlsx_rows(data))
    if extension and extension not in _CSV_EXTENSIONS:
        raise FaqFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
    text, encoding = _decode(data)
    delimiter = _pick_delimiter(text)
    sheet = _sheet("csv", _csv_rows(text, delimiter))
    sheet.encoding, sheet.delimiter = encoding, delimiter
    return sheet


def _not_a_spreadsheet() -> FaqFileError:
    return FaqFileError(_("This file is not an Excel workbook (.xlsx) or a CSV text file."))


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise FaqFileError(_("This file could not be read as an Excel workbook (.xlsx).")) from err
    try:
        if not workbook.worksheets:
            raise FaqFileError(_("The file is empty."))
        # The first sheet: exported FAQ lists keep notes or lookup lists on later sheets.
        values = workbook.worksheets[0].iter_rows(values_only=True)
        return _collect(
            (number, [_cell_text(v) for v in row]) for number, row in enumerate(values, 1)
        )
    except FaqFileError:
        raise
    except Exception as err:  # openpyxl raises many types on damaged workbooks
        raise FaqFileError(_("This file could not be read as an Excel workbook (.xlsx).")) from err
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text, encoding = decode_bytes(data)
    except ValueError as err:
        raise _not_a_spreadsheet() from err
    text = text.lstrip("\ufeff")
    sample = text[:8192]
    # Binary data decodes "successfully" in some single-byte charset; text has few controls.
    if "\x00" in sample or len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise _not_a_spreadsheet()
    return text, encoding


def _first_record(text: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                return record
    except csv.Error:
        return []
    return []


def _pick_delimiter(text: str) -> str:
    """Choose the delimiter that splits the heading row into the most known column names.

    csv.Sniffer alone is easily fooled by commas and semicolons inside Chinese answers, so it
    only breaks ties.
    """
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None

    def score(delimiter):
        cells = _first_record(text, delimiter)
        known = sum(field_for_heading(cell) is not None for cell in cells)
        return (known, delimiter == sniffed, len(cells))

    return max(_DELIMITERS, key=score)


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # A spreadsheet program shows one row per record, however many lines a quoted cell spans.
    try:
        return _collect(enumerate(reader, 1))
    except csv.Error as err:
        raise FaqFileError(
            _("This CSV file could not be read (line %(line)s): %(error)s")
            % {"line": reader.line_num, "error": err}
        ) from err


def _collect(numbered_rows) -> list[tuple[int, list[str]]]:
    """Keep the non-blank rows, stopping one past the row limit so the limit can be reported."""
    rows = []
    blank_run = 0
    for number, values in numbered_rows:
        if not any(value.strip() for value in values):
            blank_run += 1
            # Blank rows formatted down to row 1,048,576 must not keep us reading.
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        rows.append((number, values))
        if len(rows) > MAX_ROWS + 1:  # the heading row and one too many
            break
    return rows


def _sheet(kind: str, rows: list[tuple[int, list[str]]]) -> Sheet:
    header_index = None
    for index, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(field_for_heading(value) == QUESTION for value in values):
            header_index = index
            break
    if header_index is None:
        if not any(any(value.strip() for value in values) for _number, values in rows):
            raise FaqFileError(_("The file is empty."))
        raise FaqFileError(
            _(
                "No “question” column was found: the first row must name the columns, "
                "e.g. %(question)s, %(answer)s, %(category)s, %(tags)s."
            )
            % {
                "question": accepted_headings(QUESTION),
                "answer": accepted_headings(ANSWER),
                "category": accepted_headings(CATEGORY),
                "tags": accepted_headings(TAGS),
            }
        )
    header_number, headings = rows[header_index]
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored = []
    for position, heading in enumerate(headings):
        name = field_for_heading(heading)
        if name is None:
            if heading.strip():
                ignored.append(heading.strip())
        elif name not in positions:  # the first of two columns with the same meaning wins
            positions[name] = position
            columns[name] = heading.strip()
    if ANSWER not in positions:
        raise FaqFileError(
            _("No “answer” column was found; name it %(names)s.")
            % {"names": accepted_headings(ANSWER)}
        )
    sheet_rows = []
    for number, values in rows[header_index + 1 :]:
        cells = {
            name: (values[position] if position < len(values) else "")
            for name, position in positions.items()
        }
        sheet_rows.append(SheetRow(number=number, cells=cells))
    if len(sheet_rows) > MAX_ROWS:
        raise FaqFileError(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": MAX_ROWS}
        )
    return Sheet(
        kind=kind, rows=sheet_rows, columns=columns, ignored=ignored, header_row=header_number
    )
