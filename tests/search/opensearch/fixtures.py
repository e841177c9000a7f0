"""Pytest fixtures for a live Elasticsearch/OpenSearch engine.

`elasticsearch_url` (session): the server named by KB_ELASTICSEARCH_URL, else an OpenSearch
node started from Maven Central jars (see node.py); skipped, with the reason, only where java,
javac or mvn is missing. `elasticsearch_backend`: a ready ElasticsearchBackend on a fresh alias
per test, its indices deleted afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

from search.backends.elasticsearch import ElasticsearchBackend
from tests.search.opensearch.node import OpenSearchNode, missing_tools

__all__ = ["elasticsearch_backend", "elasticsearch_url"]


@pytest.fixture(scope="session")
def elasticsearch_url():
    """Yield the URL of a live engine for the session."""
    url = os.environ.get("KB_ELASTICSEARCH_URL")
    if url:
        yield url
        return
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    node = OpenSearchNode()
    node.start()
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture
def elasticsearch_backend(elasticsearch_url):
    """Yield a backend on an alias of its own; its indices are deleted afterwards."""
    backend = ElasticsearchBackend(
        "test",
        {"URL": elasticsearch_url, "INDEX": f"zhiku-test-{uuid.uuid4().hex}", "REPLICAS": 0},
    )
    try:
        yield backend
    finally:
        backend.drop_index()
        backend.close()
