"""The contract every search backend implements.

Backends never analyse text: they receive documents whose text fields are already tokenised by
`search.analysis` (tokens joined by single spaces, indexed with a whitespace tokenizer), and
queries made of those tokens. So Tantivy and Elasticsearch rank the same tokens, and the domain
dictionary and synonyms apply everywhere.

Primitives raise NotImplementedError; everything else (the query service, snippets, suggestions,
did-you-mean) is built from them in `search.service` (django `core/cache/backends/base.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# --- The document schema shared by every backend ---------------------------------------------

# Pre-tokenised text fields (whitespace tokenizer, BM25). *_w: segmenter words; *_g: character
# bigrams of Chinese runs and whole Latin/number tokens, in text order (phrase queries run on
# these, so they are indexed with positions); *_c: single Han characters, stop words left out,
# once per field (paraphrases that share characters but no bigram); *_p: pinyin of the bigrams
# (homophone typos).
TOKEN_FIELDS = (
    "title_w",
    "title_g",
    "title_c",
    "title_p",
    "alt_w",
    "alt_g",
    "alt_c",
    "tags_w",
    "body_w",
    "body_g",
    "body_c",
    "body_p",
    "att_w",
    "att_g",
    "prefix",  # autocomplete: folded prefixes of the title and its words, pinyin initials
)
PHRASE_FIELDS = ("title_g", "alt_g", "body_g", "att_g")
# Token fields that hold each token at most once per document (search.documents joins them with
# `_join_once`): their term frequencies are all 1, so an engine may leave them out of the
# postings and score the same.
ONCE_FIELDS = (
    "title_w",
    "title_c",
    "title_p",
    "alt_w",
    "alt_c",
    "tags_w",
    "body_w",
    "body_c",
    "body_p",
    "att_w",
)
# Exact-value fields, each holding one or more strings: filters, facets, permission trimming.
KEYWORD_FIELDS = (
    "key",
    "type",
    "read",
    "restrict",
    "tags",
    "category",
    "department",
    "customer",
    "language",
)
FACET_FIELDS = ("type", "tags", "department", "customer", "category")
DATE_FIELDS = ("created", "updated")
# Stored only, returned with hits: original text for display and snippets.
STORED_FIELDS = ("title", "url", "body", "attachments", "category_path", "extra")


@dataclass(frozen=True)
class Should:
    """A scored optional clause: `token` in `field`, weighted by `boost`.

    `fuzzy` > 0 matches terms within that edit distance (Latin typos); `prefix` matches terms
    starting with the token. A `scoring_only` clause adds to the score of documents that match
    other clauses but cannot make a document match on its own (single characters: a document
    sharing only the character 机 with "打印机" is no answer).
    """

    field: str
    token: str
    boost: float = 1.0
    fuzzy: int = 0
    prefix: bool = False
    scoring_only: bool = False


def split_should(should: list[Should]) -> tuple[list[Should], list[Should]]:
    """Return (clauses that make a document match, clauses that only add to its score)."""
    matching = [s for s in should if not s.scoring_only]
    scoring = [s for s in should if s.scoring_only]
    if not matching:  # nothing else to match: the scoring clauses must match after all
        return scoring, []
    return matching, scoring


@dataclass(frozen=True)
class Phrase:
    """Tokens that must appear consecutively in at least one of `fields`."""

    fields: tuple[str, ...]
    tokens: tuple[str, ...]


@dataclass
class SearchRequest:
    """A backend query. `audience` is mandatory: an item matches only when its `read` and its
    `restrict` fields each share a token with it (permissions.policy.audience_terms)."""

    audience: Sequence[str]
    should: list[Should] = field(default_factory=list)
    must: list[Phrase] = field(default_factory=list)
    must_not: list[Phrase] = field(default_factory=list)
    # keyword field -> accepted values (any of them); fields are ANDed
    filters: dict[str, list[str]] = field(default_factory=dict)
    # date field -> (from, to), either may be None; inclusive
    date_ranges: dict[str, tuple[dt.datetime | None, dt.datetime | None]] = field(
        default_factory=dict
    )
    facets: Sequence[str] = ()
    facet_size: int = 20
    sort: str = "relevance"  # relevance | newest | oldest
    offset: int = 0
    limit: int = 10


@dataclass
class Hit:
    key: str
    score: float
    stored: dict  # STORED_FIELDS plus "type", "updated"


@dataclass
class SearchResponse:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class EngineUnavailable(Exception):
    """The engine cannot be reached or written now (a transient failure: retry later)."""


class SearchBackend:
    """Base class of search backends, configured by one entry of settings.SEARCH_BACKENDS."""

    def __init__(self, alias: str, params: dict):
        self.alias = alias
        self.params = params

    # --- writing ----------------------------------------------------------------------------

    def index(self, documents: Iterable[dict]) -> None:
        """Add or replace documents (dicts keyed by the schema fields; `key` identifies them)."""
        raise NotImplementedError

    def delete(self, keys: Iterable[str]) -> None:
        """Remove the documents with these keys; unknown keys are ignored."""
        raise NotImplementedError

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Replace the whole index with `documents`, searchable throughout; return the count."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove every document."""
        raise NotImplementedError

    # --- reading ----------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a query, trimmed to `request.audience` inside the engine."""
        raise NotImplementedError

    def doc_freq(self, field_name: str, token: str) -> int:
        """Return how many documents (regardless of audience) hold `token` in a token field.

        Only for ranking decisions that reveal nothing (never shown to a user)."""
        raise NotImplementedError

    def count(self) -> int:
        """Return the number of documents in the index."""
        raise NotImplementedError

    def keys(self) -> set[str]:
        """Return every key in the index (for the sweep that finds stale entries)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files and connections."""
