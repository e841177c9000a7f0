"""The query service: one search over everything a viewer may see.

`search(query, *, viewer, ...)` cannot be called without a viewer: the viewer's audience terms
(permissions.policy.audience_terms) go into the engine query, so hits, totals, facet counts,
snippets, suggestions and did-you-mean only ever come from items the viewer may see.

Query syntax: words (ranked, any may match), "quoted phrases" (must appear as written),
-word and -"phrase" (must not appear).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.contrib.auth.models import AnonymousUser
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from permissions.policy import audience_terms, is_internal
from search.analysis import RUN, Analyzer, fold, fold_with_offsets, get_analyzer, is_han
from search.backends import get_backend
from search.backends.base import PHRASE_FIELDS, Phrase, SearchRequest, SearchResponse, Should
from search.ranking import PINYIN_FIELDS, build_should, ranked_search
from search.records import RECORD_TYPES

MAX_QUERY_CHARS = 200
MAX_PAGE_SIZE = 50
MAX_PAGE = 100  # deep pages cost more than they help; the UI offers filters instead
SNIPPET_CHARS = 120

FACETS = ("type", "department", "tags")
HELP_CENTRE_TYPES = ("faq", "article")
SORTS = ("relevance", "newest", "oldest")

# Curly, full-width and corner-bracket quotes (traditional Chinese) all delimit phrases.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟＂「」『』", '"'))
_QUERY_PART = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


# --- parsing ---------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    text: str  # the free words, space-joined
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.phrases)


def parse_query(raw: str) -> ParsedQuery:
    """Split a query into free words, "phrases" and -exclusions."""
    raw = raw.translate(_QUOTES)[:MAX_QUERY_CHARS]
    if raw.count('"') % 2:  # an unclosed quote: read it as an ordinary character
        raw = raw.replace('"', " ")
    words, phrases, excluded = [], [], []
    for match in _QUERY_PART.finditer(raw):
        phrase_minus, phrase, word_minus, word = match.groups()
        if phrase is not None:
            if phrase.strip():
                (excluded if phrase_minus else phrases).append(phrase.strip())
        elif word_minus and len(word) > 0 and word != "-":
            excluded.append(word)
        else:
            words.append(word_minus + word if word_minus else word)
    return ParsedQuery(text=" ".join(words), phrases=phrases, excluded=excluded)


# --- building the engine request ---------------------------------------------------------------


def _phrase(analyzer: Analyzer, text: str) -> Phrase | None:
    grams = analyzer.grams(fold(text))
    return Phrase(PHRASE_FIELDS, tuple(grams)) if grams else None


@dataclass
class SearchFilters:
    types: list[str] = field(default_factory=list)
    category: int | None = None  # a page id: the item is in its subtree
    departments: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    customers: list[int] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def engine_filters(self) -> dict[str, list[str]]:
        filters: dict[str, list[str]] = {}
        if self.types:
            filters["type"] = [t for t in self.types if t in RECORD_TYPES] or ["-"]
        if self.category:
            filters["category"] = [str(self.category)]
        if self.departments:
            filters["department"] = [str(pk) for pk in self.departments]
        if self.tags:
            filters["tags"] = list(self.tags)
        if self.customers:
            filters["customer"] = [str(pk) for pk in self.customers]
        return filters

    def date_ranges(self) -> dict:
        if not (self.date_from or self.date_to):
            return {}
        start = dt.datetime.combine(self.date_from, dt.time.min, dt.UTC) if self.date_from else None
        end = dt.datetime.combine(self.date_to, dt.time.max, dt.UTC) if self.date_to else None
        return {"updated": (start, end)}


# --- results -----------------------------------------------------------------------------------


@dataclass
class ResultHit:
    key: str
    type: str
    type_label: str
    title: str
    url: str
    snippet: SafeString
    title_html: SafeString
    updated: dt.datetime | None
    category_path: list[str]
    extra: dict
    score: float
    rank: int  # 1-based position over all pages


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[ResultHit]
    facets: dict[str, list[FacetValue]]
    did_you_mean: str | None = None
    sort: str = "relevance"

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / self.page_size)))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


# --- snippets ------------------------------------------------------------------------------------


def highlight_needles(analyzer: Analyzer, parsed: ParsedQuery) -> list[str]:
    """Return the folded strings to mark in results: query words, their synonyms, phrases."""
    needles: set[str] = set()
    for word in analyzer.analyze(parsed.text, pinyin=False).words:
        if len(word) > 1 or not is_han(word):
            needles.add(word)
            needles.update(analyzer.synonym_group(word))
    needles.update(fold(phrase) for phrase in parsed.phrases)
    if not needles:  # only single characters: mark those
        needles.update(RUN.findall(fold(parsed.text)))
    return sorted((n for n in needles if n.strip()), key=len, reverse=True)


def _needle_pattern(needles: Sequence[str]):
    return _compiled_needles(tuple(needles)) if needles else None


@lru_cache(maxsize=1024)
def _compiled_needles(needles: tuple[str, ...]):
    # re's own cache holds 512 patterns of every module; popular queries keep theirs here.
    return re.compile("|".join(re.escape(n) for n in needles))


def _best_start(matches: list, width: int) -> int:
    """Return the index of the match that opens the `width` window with most distinct matches."""
    best, best_score = 0, -1
    counts: dict[str, int] = {}
    j = 0
    for i, match in enumerate(matches):
        limit = match.start() + width
        while j < len(matches) and matches[j].end() <= limit:
            counts[matches[j].group()] = counts.get(matches[j].group(), 0) + 1
            j += 1
        if len(counts) > best_score:
            best, best_score = i, len(counts)
        if j > i:
            text = match.group()
            counts[text] -= 1
            if not counts[text]:
                del counts[text]
        else:  # a match longer than the window
            j = i + 1
    return best


def _marked(text: str, offsets: list[int], matches, start: int, end: int) -> list[str]:
    """Return escaped pieces of text[start:end] with the matches (folded positions) marked."""
    pieces = []
    cursor = start
    for match in matches:
        m_start = offsets[match.start()]
        m_end = offsets[match.end() - 1] + 1
        if m_start < cursor or m_end > end:
            if m_start >= end:
                break
            continue
        pieces.append(escape(text[cursor:m_start]))
        pieces.append(f"<mark>{escape(text[m_start:m_end])}</mark>")
        cursor = m_end
    pieces.append(escape(text[cursor:end]))
    return pieces


_SPACES = re.compile(r"\s+")
# Snippets scan long texts chunk by chunk and stop at the first chunk with a match: folding a
# whole 20,000-character document for each of ten hits would cost more than the search.
SCAN_CHARS = 4000


def highlight(text: str, pattern, *, width: int | None = None) -> SafeString:
    """Return `text` HTML-escaped with matches of `pattern` (on the folded text) in <mark>.

    With `width`, return the window of that many characters holding the most distinct matches
    (in the first part of the text that has any), or the opening of the text when none match.
    """
    if not text:
        return mark_safe("")
    if width is None:
        folded, offsets = fold_with_offsets(text)
        matches = list(pattern.finditer(folded)) if pattern else []
        return mark_safe(_SPACES.sub(" ", "".join(_marked(text, offsets, matches, 0, len(text)))))
    return _window(text, pattern, width) or _window(text, None, width)


def _window(text: str, pattern, width: int) -> SafeString | None:
    """Return the best `width` window of `text` with its matches marked, None when no match.

    Without a pattern, return the opening of the text."""
    if pattern is None:
        end = min(len(text), width)
        suffix = "…" if end < len(text) else ""
        return mark_safe(_SPACES.sub(" ", escape(text[:end]) + suffix))
    # Chunks overlap by a window, so a match or a window across a boundary is not lost.
    for base in range(0, len(text), SCAN_CHARS):
        chunk = text[base : base + SCAN_CHARS + width]
        folded, offsets = fold_with_offsets(chunk)
        matches = list(pattern.finditer(folded))
        if not matches:
            continue
        first = offsets[matches[_best_start(matches, width)].start()]
        # Start a little before the first match, so the reader sees its context.
        start = max(0, first - width // 6)
        end = min(len(chunk), start + width)
        pieces = ["…" if base + start > 0 else ""]
        pieces += _marked(chunk, offsets, matches, start, end)
        if base + end < len(text):
            pieces.append("…")
        return mark_safe(_SPACES.sub(" ", "".join(pieces)))
    return None


def _snippet(stored: dict, pattern) -> SafeString:
    """Return the best window of the body, else of the attachments, else the body's opening."""
    body = stored.get("body") or ""
    if pattern is not None:
        for text in (body, stored.get("attachments") or ""):
            window = _window(text, pattern, SNIPPET_CHARS) if text else None
            if window is not None:
                return window
    return _window(body, None, SNIPPET_CHARS)


# --- the service -----------------------------------------------------------------------------


def _audience(viewer, scope: str) -> list[str]:
    if viewer is None:
        raise ValueError("search needs a viewer (use AnonymousUser for the public)")
    if scope == "help" and is_internal(viewer):
        # The help centre shows what customers see, also to staff who open it.
        return audience_terms(AnonymousUser())
    return audience_terms(viewer)


def _request_for(analyzer, parsed: ParsedQuery, audience, filters: SearchFilters | None):
    filters = filters or SearchFilters()
    request = SearchRequest(
        audience=audience,
        should=build_should(analyzer, parsed.text) if parsed.text.strip() else [],
        must=[p for p in (_phrase(analyzer, text) for text in parsed.phrases) if p],
        must_not=[p for p in (_phrase(analyzer, text) for text in parsed.excluded) if p],
        filters=filters.engine_filters(),
        date_ranges=filters.date_ranges(),
    )
    return request


def search(
    query: str,
    *,
    viewer,
    filters: SearchFilters | None = None,
    facets: Sequence[str] = FACETS,
    page: int = 1,
    page_size: int = 10,
    sort: str = "relevance",
    scope: str = "staff",
    backend=None,
) -> SearchResults:
    """Search everything `viewer` may see; the audience trims inside the engine query."""
    audience = _audience(viewer, scope)
    analyzer = get_analyzer()
    parsed = parse_query(query)
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    page = max(1, min(int(page), MAX_PAGE))
    sort = sort if sort in SORTS else "relevance"
    filters = filters or SearchFilters()
    if scope == "help":
        # A copy: the caller's filters stay as given (the page shows what was chosen).
        types = [t for t in (filters.types or HELP_CENTRE_TYPES) if t in HELP_CENTRE_TYPES]
        filters = replace(filters, types=types or ["-"])
    results = SearchResults(
        query=query, total=0, page=page, page_size=page_size, hits=[], facets={}, sort=sort
    )
    if parsed.empty:
        return results
    backend = backend or get_backend()
    request = _request_for(analyzer, parsed, audience, filters)
    request.facets = tuple(facets)
    request.sort = sort
    request.offset = (page - 1) * page_size
    request.limit = page_size
    response = ranked_search(backend, request, parsed.text)
    results.total = response.total
    results.hits = _hits(response, analyzer, parsed, request.offset)
    results.facets = facet_values(response, viewer, filters)
    if response.total == 0 and parsed.text.strip():
        results.did_you_mean = did_you_mean(parsed, audience=audience, backend=backend)
    return results


def _hits(response: SearchResponse, analyzer, parsed, offset: int) -> list[ResultHit]:
    pattern = _needle_pattern(highlight_needles(analyzer, parsed))
    labels = type_labels()
    hits = []
    for position, hit in enumerate(response.hits, start=offset + 1):
        stored = hit.stored
        hits.append(
            ResultHit(
                key=hit.key,
                type=stored["type"],
                type_label=labels.get(stored["type"], stored["type"]),
                title=stored["title"],
                url=stored["url"],
                snippet=_snippet(stored, pattern),
                title_html=highlight(stored["title"], pattern),
                updated=stored.get("updated"),
                category_path=stored.get("category_path") or [],
                extra=stored.get("extra") or {},
                score=hit.score,
                rank=position,
            )
        )
    return hits


def type_labels() -> dict[str, str]:
    """Return the record types' labels in the active language (translated once per language)."""
    language = get_language()
    labels = _type_labels.get(language)
    if labels is None:
        labels = _type_labels[language] = {key: str(label) for key, label in RECORD_TYPES.items()}
    return labels


_type_labels: dict[str | None, dict[str, str]] = {}

# Department names for facet labels: a small table read on almost every search, so it is kept
# per process. A save or delete here forgets it; other processes see a rename within the TTL.
DEPARTMENT_NAMES_TTL = 60.0
_UNKNOWN_RETRY = 5.0  # an id missing from the cache (a new department) reloads at most this often
_departments: dict = {"names": None, "loaded": 0.0}
_departments_lock = threading.Lock()


def forget_department_names(**_kwargs) -> None:
    """Drop the cached department names (connected to Department saves and deletes)."""
    _departments.update(names=None, loaded=0.0)


def _department_names(ids: Sequence[str]) -> dict[str, str]:
    from django.db.models.signals import post_delete, post_save

    from permissions.models import Department

    names = _departments["names"]
    age = time.monotonic() - _departments["loaded"]
    missing = names is not None and any(pk not in names for pk in ids)
    if names is None or age > DEPARTMENT_NAMES_TTL or (missing and age > _UNKNOWN_RETRY):
        with _departments_lock:
            if _departments["names"] is None:
                for signal in (post_save, post_delete):
                    signal.connect(
                        forget_department_names,
                        sender=Department,
                        weak=False,
                        dispatch_uid="search.service.departments",
                    )
            names = {str(pk): name for pk, name in Department.objects.values_list("pk", "name")}
            _departments.update(names=names, loaded=time.monotonic())
    return names


def facet_values(response: SearchResponse, viewer, filters: SearchFilters):
    """Label the engine's facet counts (counts come trimmed from the engine)."""
    labels: dict[str, dict[str, str]] = {"type": type_labels()}
    if response.facets.get("department"):
        ids = [value for value, _count in response.facets["department"]]
        labels["department"] = _department_names(ids)
    selected = {
        "type": set(filters.types),
        "department": {str(pk) for pk in filters.departments},
        "tags": set(filters.tags),
    }
    out: dict[str, list[FacetValue]] = {}
    for name, buckets in response.facets.items():
        names = labels.get(name, {})
        # Values without a label (a deleted department) are left out rather than shown raw.
        out[name] = [
            FacetValue(value, names.get(value, value), count, value in selected.get(name, ()))
            for value, count in buckets
            if name not in labels or value in names
        ]
    return out


# --- suggestions -----------------------------------------------------------------------------


def autocomplete(prefix: str, *, viewer, limit: int = 8, scope: str = "staff", backend=None):
    """Return titles the viewer may see that start with `prefix` (or its pinyin initials)."""
    audience = _audience(viewer, scope)
    folded = "".join(RUN.findall(fold(prefix[:50])))
    if not folded:
        return []
    should = [Should("prefix", folded, 4.0)]
    if folded.isascii() and len(folded) >= 4:  # a typo in a Latin word or in pinyin initials
        should.append(Should("title_w", folded, 1.0, fuzzy=1, prefix=True))
    filters = {"type": list(HELP_CENTRE_TYPES)} if scope == "help" else {}
    backend = backend or get_backend()
    response = backend.search(
        SearchRequest(audience=audience, should=should, filters=filters, limit=limit * 2)
    )
    seen, out = set(), []
    for hit in response.hits:
        title = hit.stored["title"]
        if title in seen:
            continue
        seen.add(title)
        out.append({"title": title, "url": hit.stored["url"], "type": hit.stored["type"]})
        if len(out) == limit:
            break
    return out


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def did_you_mean(parsed: ParsedQuery, *, audience, backend) -> str | None:
    """Suggest a corrected query drawn from items the audience may see, or None.

    Called when the query found nothing the viewer may see, so every query word is unknown to
    the viewer; asking the index (doc_freq) which words it knows would reveal words of items the
    viewer may not see. A relaxed query (pinyin of the Chinese bigrams, Latin words within an
    edit distance) finds visible items; their bigrams of the same pinyin replace the query's
    (花贝 -> 花呗), their closest Latin words replace the query's (blutooth -> bluetooth)."""
    analyzer = get_analyzer()
    tokens = analyzer.analyze(parsed.text)
    latin = [w for w in dict.fromkeys(tokens.words) if w.isascii() and w.isalpha() and len(w) >= 3]
    grams = [g for g in dict.fromkeys(tokens.grams) if len(g) == 2 and is_han(g[0])]
    should = [
        Should(name, pinyin, 1.0)
        for pinyin in dict.fromkeys(analyzer.pinyin(grams))
        for name in PINYIN_FIELDS
    ]
    should += [
        Should(name, word, 1.0, fuzzy=_max_distance(word))
        for word in latin
        for name in ("title_w", "body_w")
    ]
    if not should:
        return None
    response = backend.search(SearchRequest(audience=audience, should=should, limit=5))
    if not response.hits:
        return None
    words: set[str] = set()
    seen_grams: dict[str, int] = {}
    for hit in response.hits:
        text = fold(hit.stored["title"] + " " + hit.stored["body"][:5000])
        words.update(w for w in analyzer.words(text) if w.isascii())
        for gram in analyzer.grams(text):
            seen_grams[gram] = seen_grams.get(gram, 0) + 1
    corrected = fold(parsed.text)
    for gram in grams:
        if gram in seen_grams:
            continue
        target = analyzer.pinyin([gram])
        same = [g for g in seen_grams if len(g) == 2 and analyzer.pinyin([g]) == target]
        if same:
            corrected = corrected.replace(gram, max(same, key=lambda g: (seen_grams[g], g)))
    for word in latin:
        best = _closest_latin(word, words)
        if best and best != word:
            corrected = re.sub(rf"(?<![0-9a-z]){re.escape(word)}(?![0-9a-z])", best, corrected)
    return corrected if corrected != fold(parsed.text) else None


def _closest_latin(word: str, candidates) -> str | None:
    scored = [(_edit_distance(word, c), c) for c in candidates if abs(len(c) - len(word)) <= 2]
    scored = [item for item in scored if item[0] <= _max_distance(word)]
    return min(scored)[1] if scored else None
