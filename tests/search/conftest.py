"""Fixtures of the search tests: a fresh, empty backend of each kind.

The contract suite (tests/search/contract) runs once per entry of BACKENDS. A backend factory
returns a new backend on an empty index, or skips with the reason it cannot run here.
"""

from __future__ import annotations

import uuid

import pytest

from search.backends import load_backend
from tests.search.opensearch.fixtures import (  # noqa: F401  (fixtures for every module here)
    elasticsearch_backend,
    elasticsearch_url,
)


def _tantivy(request, tmp_path):
    return load_backend(
        "default",
        BACKEND="search.backends.tantivy.TantivyBackend",
        PATH=tmp_path / "contract-index",
    )


def _elasticsearch(request, tmp_path):
    # A live node: KB_ELASTICSEARCH_URL, or OpenSearch started from Maven Central jars.
    url = request.getfixturevalue("elasticsearch_url")
    return load_backend(
        "default",
        BACKEND="search.backends.elasticsearch.ElasticsearchBackend",
        URL=url,
        INDEX=f"zhiku-contract-{uuid.uuid4().hex[:12]}",
        REPLICAS=0,
    )


BACKENDS = {"tantivy": _tantivy, "elasticsearch": _elasticsearch}


@pytest.fixture(params=list(BACKENDS))
def backend(request, tmp_path):
    """A backend of each kind on a fresh, empty index."""
    instance = BACKENDS[request.param](request, tmp_path)
    yield instance
    if request.param != "tantivy":  # a server outlives the test: leave nothing behind
        instance.drop_index()
    instance.close()
