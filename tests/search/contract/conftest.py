"""Fixtures of the backend contract suite: an analyzer, document builders, the role matrix."""

from __future__ import annotations

import datetime as dt

import pytest

from search.analysis import Analyzer
from search.documents import build_document
from search.ranking import build_should
from search.records import Record

# Fixtures of the knowledge-base tests, used here for the customer accounts.
from tests.kb.conftest import other_customer_user, portal_account  # noqa: F401

ANON = ("public", "open")  # audience_terms(AnonymousUser())


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    analyzer = Analyzer(synonyms=[["发动机", "引擎"]])
    analyzer.install()
    return analyzer


@pytest.fixture
def make_doc(analyzer):
    """Return a builder of index documents, through the real Record -> document path."""

    def make(key: str, title: str = "", body: str = "", **fields) -> dict:
        fields.setdefault("type", "article")
        fields.setdefault("url", f"/{key}/")
        fields.setdefault("read", ["all", "public"])
        fields.setdefault("restrict", ["all", "open"])
        fields.setdefault("updated_at", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        return build_document(Record(key=key, title=title, body=body, **fields), analyzer)

    return make


@pytest.fixture
def ask(backend, analyzer):
    """Return a function running free query text (ranked like the service) on the backend."""
    from search.backends.base import SearchRequest

    def run(text: str = "", audience=ANON, **request):
        should = build_should(analyzer, text) if text else []
        return backend.search(SearchRequest(audience=list(audience), should=should, **request))

    return run
