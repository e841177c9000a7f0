"""Turn spreadsheet rows into FAQ rows with a status and messages; reads the database, never writes."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb.faq_import.parsing import (
    ALTERNATIVES,
    ANSWER,
    CATEGORY,
    CONFIDENTIALITY,
    DEPARTMENTS,
    PRODUCTS,
    QUESTION,
    TAGS,
    Sheet,
)
from kb.models import CategoryPage, FAQPage, KnowledgeHomePage
from permissions.models import Confidentiality, Department
from permissions.policy import visible_to

MAX_QUESTION = FAQPage._meta.get_field("question").max_length
MAX_PRODUCTS = 255  # the whole products cell; each name becomes a Product snippet
MAX_TITLE = 255

OK = "ok"
DUPLICATE = "duplicate"
ERROR = "error"
IMPORTED = "imported"
STATUS_LABELS = {
    OK: gettext_lazy("Ready"),
    DUPLICATE: gettext_lazy("Already exists"),
    ERROR: gettext_lazy("Error"),
    IMPORTED: gettext_lazy("Imported"),
}

# The most open first: a category created for several rows takes the level of the first row that
# needs it, so rows are filed in this order and a public FAQ never sits in a staff-only category.
OPENNESS = {
    Confidentiality.PUBLIC: 0,
    Confidentiality.CUSTOMERS: 1,
    Confidentiality.INTERNAL: 2,
    Confidentiality.DEPARTMENT: 3,
    Confidentiality.CONFIDENTIAL: 4,
}
_LEVELS = {
    Confidentiality.PUBLIC: ("公开", "对外", "外部", "public"),
    Confidentiality.INTERNAL: ("内部", "内部公开", "员工", "internal", "staff"),
    Confidentiality.DEPARTMENT: ("部门", "部门内部", "部门内", "department"),
    Confidentiality.CONFIDENTIAL: ("机密", "保密", "秘密", "绝密", "confidential", "secret"),
}
_BRACKETED = re.compile(r"\([^)]*\)")
_SPACES = re.compile(r"\s+")
# Full-width forms are matched as written: folding them would change the stored text (？ to ?).
_CATEGORY_SEPARATORS = re.compile(r"[/>／＞]")
_TAG_SEPARATORS = re.compile(r"[,，;；、\n]")
_ALTERNATIVE_SEPARATORS = re.compile(r"[\n;；]")
_DEPARTMENT_SEPARATORS = re.compile(r"[,，;；、/／\n]")


def _fold(text: str) -> str:
    """Fold full-width forms and case: ＦＡＱ，１ and faq,1 compare alike."""
    return unicodedata.normalize("NFKC", text).casefold()


def parse_confidentiality(value: str) -> str | None:
    """Return the confidentiality level a cell names (公开/public, …), or None if it names none."""
    folded = _SPACES.sub("", _BRACKETED.sub("", _fold(value)))
    for level, names in _LEVELS.items():
        if folded in names:
            return level
    return None


def split_category_path(text: str) -> tuple[str, ...]:
    """Return the parts of a category path such as 售后政策/退换货 (also >, ／ or ＞)."""
    return tuple(part.strip() for part in _CATEGORY_SEPARATORS.split(text) if part.strip())


def question_key(question: str) -> str:
    """Return the form of a question compared for duplicates: folded, spaces collapsed."""
    return _SPACES.sub(" ", _fold(question)).strip()


@dataclass
class ImportOptions:
    """What the importer chose besides the file; kept as plain values between preview and import."""

    category_id: int | None = None
    confidentiality: str = Confidentiality.PUBLIC
    department_ids: list[int] = field(default_factory=list)
    create_categories: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportOptions:
        level = data.get("confidentiality")
        return cls(
            category_id=int(data["category_id"]) if data.get("category_id") else None,
            confidentiality=level if level in Confidentiality.values else Confidentiality.PUBLIC,
            department_ids=[int(pk) for pk in data.get("department_ids") or []],
            create_categories=bool(data.get("create_categories")),
        )


@dataclass
class FaqRow:
    number: int
    question: str = ""
    answer: str = ""
    category_path: tuple[str, ...] = ()
    tags: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    products: str = ""
    confidentiality: str = Confidentiality.PUBLIC
    departments: list[Department] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicate: bool = False  # of an FAQ already in the knowledge base: skipped
    category: CategoryPage | None = None  # the existing category it goes into
    page: FAQPage | None = None  # once imported

    @property
    def status(self) -> str:
        if self.page is not None:
            return IMPORTED
        if self.errors:
            return ERROR
        if self.duplicate:
            return DUPLICATE
        return OK

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def messages(self) -> list[str]:
        return [*self.errors, *self.notes]

    @property
    def answer_lines(self) -> list[str]:
        return [line for line in self.answer.split("\n") if line]

    @property
    def answer_html(self) -> str:
        """Return the answer as rich text: one escaped paragraph per line."""
        return "".join(f"<p>{escape(line)}</p>" for line in self.answer_lines)

    @property
    def category_label(self) -> str:
        return " / ".join(self.category_path)

    def get_confidentiality_display(self):
        # Named like the model method, for templates/includes/confidentiality_badge.html.
        return Confidentiality(self.confidentiality).label


@dataclass
class FaqCheck:
    """The rows of one file as checked (or imported), with what the import will do or did."""

    sheet: Sheet
    options: ImportOptions
    target: CategoryPage | None
    rows: list[FaqRow]
    new_categories: list[str] = field(default_factory=list)
    written: bool = False
    categories_created: int = 0

    @property
    def counts(self) -> Counter:
        return Counter(row.status for row in self.rows)

    @property
    def tagged(self) -> int:
        """Return how many rows that are (or will be) imported carry tags."""
        return sum(bool(row.tags) for row in self.rows if row.status in (OK, IMPORTED))

    @property
    def tags_stored(self) -> int:
        """Return how many tags the import stored on the FAQ pages it created."""
        return sum(len(row.tags) for row in self.rows if row.status == IMPORTED)


class CategoryLookup:
    """Find category paths below the import's root the way the bulk import's tree does."""

    def __init__(self, user, target: CategoryPage | None):
        self.user = user
        self.root = target if target is not None else KnowledgeHomePage.objects.first()
        self._cache: dict[tuple[str, ...], CategoryPage | None] = {}
        self._questions: dict[int, set[str]] = {}

    def find(self, path: tuple[str, ...]) -> CategoryPage | None:
        """Return the visible category at `path`, or None when some part of it does not exist."""
        if path in self._cache:
            return self._cache[path]
        if not path:
            category = self.root if isinstance(self.root, CategoryPage) else None
        else:
            parent = self.find(path[:-1]) if len(path) > 1 else self.root
            category = None
            if parent is not None:
                # Like documents.importing.categories.CategoryTree: the first visible live
                # category of that title, so preview and import agree on where a row goes.
                siblings = CategoryPage.objects.child_of(parent).filter(title=path[-1][:MAX_TITLE])
                category = visible_to(self.user, siblings).order_by("path").first()
        self._cache[path] = category
        return category

    def missing_prefixes(self, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        return [path[:i] for i in range(1, len(path) + 1) if self.find(path[:i]) is None]

    def has_question(self, category: CategoryPage, question: str) -> bool:
        # Every FAQ of the category counts, drafts and ones the importer cannot see included:
        # importing the same file twice, by anyone, must not create the same FAQ twice.
        if category.pk not in self._questions:
            self._questions[category.pk] = {
                question_key(text)
                for text in FAQPage.objects.child_of(category).values_list("question", flat=True)
            }
        return question_key(question) in self._questions[category.pk]


class DepartmentLookup:
    """Find departments by name or code, ignoring case and full-width forms; names win."""

    def __init__(self):
        self.by_name = {}
        for department in Department.objects.all():
            self.by_name[_fold(department.name)] = department
            self.by_name.setdefault(_fold(department.code), department)

    def find(self, name: str) -> Department | None:
        """Return the department `name` names, or None."""
        return self.by_name.get(_fold(name))

    def parse(self, text: str, row: FaqRow) -> list[Department]:
        found = []
        for name in _split(text, _DEPARTMENT_SEPARATORS):
            department = self.find(name)
            if department is None:
                row.errors.append(_("Unknown department “%(name)s”.") % {"name": name})
            elif department not in found:
                found.append(department)
        return found


def _split(text: str, separators: re.Pattern) -> list[str]:
    parts = []
    for part in separators.split(text):
        part = _SPACES.sub(" ", part).strip()
        if part and part not in parts:
            parts.append(part)
    return parts


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _answer(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


def check_faq_rows(
    sheet: Sheet,
    *,
    user,
    options: ImportOptions,
    target: CategoryPage | None,
    default_departments: list[Department],
) -> FaqCheck:
    """Parse and check every row; say for each what the import would do. Writes nothing."""
    lookup = CategoryLookup(user, target)
    departments = DepartmentLookup()
    seen: dict[tuple[tuple[str, ...], str], int] = {}
    new_categories: set[tuple[str, ...]] = set()
    rows = []
    for sheet_row in sheet.rows:
        cells = sheet_row.cells
        row = FaqRow(number=sheet_row.number)
        rows.append(row)
        row.question = _one_line(cells.get(QUESTION, ""))
        row.answer = _answer(cells.get(ANSWER, ""))
        row.category_path = split_category_path(cells.get(CATEGORY, ""))
        row.tags = _split(cells.get(TAGS, ""), _TAG_SEPARATORS)
        row.alternatives = [
            text
            for text in _split(cells.get(ALTERNATIVES, ""), _ALTERNATIVE_SEPARATORS)
            if question_key(text) != question_key(row.question)
        ]
        row.products = _one_line(cells.get(PRODUCTS, ""))

        if not row.question:
            row.errors.append(_("The question is missing."))
        elif len(row.question) > MAX_QUESTION:
            row.errors.append(
                _("The question is longer than %(limit)s characters (%(length)s).")
                % {"limit": MAX_QUESTION, "length": len(row.question)}
            )
        if not row.answer:
            row.errors.append(_("The answer is missing."))
        if len(row.products) > MAX_PRODUCTS:
            row.errors.append(
                _("The products are longer than %(limit)s characters.") % {"limit": MAX_PRODUCTS}
            )

        level_text = _one_line(cells.get(CONFIDENTIALITY, ""))
        level = parse_confidentiality(level_text) if level_text else options.confidentiality
        if level is None:
            row.errors.append(
                _(
                    "Unknown confidentiality “%(value)s”: use 公开, 内部, 部门 or 机密 "
                    "(public, internal, department, confidential)."
                )
                % {"value": level_text}
            )
        else:
            row.confidentiality = level

        department_text = cells.get(DEPARTMENTS, "").strip()
        row.departments = (
            departments.parse(department_text, row)
            if department_text
            else list(default_departments)
        )
        if row.confidentiality == Confidentiality.DEPARTMENT and not row.departments:
            row.errors.append(
                _(
                    "A department-level FAQ needs an owning department: fill in the department "
                    "column or choose departments on the form."
                )
            )
        if row.confidentiality == Confidentiality.CONFIDENTIAL:
            row.notes.append(
                _(
                    "Confidential: only you and administrators will see it until you name the "
                    "groups or users who may."
                )
            )

        _place(row, lookup, options, target, new_categories)

        if row.question:
            key = (row.category_path, question_key(row.question))
            if key in seen:
                row.errors.append(
                    _("The same question in the same category as row %(row)s.") % {"row": seen[key]}
                )
            else:
                seen[key] = row.number
        if (
            row.category is not None
            and not row.errors
            and lookup.has_question(row.category, row.question)
        ):
            row.duplicate = True
            row.notes.append(
                _("An FAQ with this question is already in this category; the row is skipped.")
            )
    return FaqCheck(
        sheet=sheet,
        options=options,
        target=target,
        rows=rows,
        new_categories=sorted(" / ".join(path) for path in new_categories),
    )


def _place(row, lookup, options, target, new_categories) -> None:
    """Find the row's category, or note that it will be created, or record why it cannot be."""
    if lookup.root is None:
        row.errors.append(_("There is no knowledge home page to import into."))
        return
    if not row.category_path:
        if target is None:
            row.errors.append(
                _("No category: fill in the category column or choose a target category.")
            )
        else:
            row.category = target
        return
    row.category = lookup.find(row.category_path)
    if row.category is not None:
        return
    label = row.category_label
    if options.create_categories:
        new_categories.update(lookup.missing_prefixes(row.category_path))
        row.notes.append(_("The category “%(path)s” will be created.") % {"path": label})
    else:
        row.errors.append(
            _(
                "The category “%(path)s” was not found; tick “Create missing categories” "
                "to create it."
            )
            % {"path": label}
        )
