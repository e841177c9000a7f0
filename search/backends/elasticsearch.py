"""The scale-out backend: Elasticsearch 8/9 or OpenSearch 2/3, one code path for both.

Request bodies are built with `elasticsearch.dsl` (Index, Search, Q, A) and sent with the low-level
client of the engine found at connect time: the `elasticsearch` client refuses to talk to
OpenSearch (it checks the product header), so OpenSearch gets the same bodies through opensearch-py.

Documents live in versioned indices `<INDEX>-<timestamp>` behind the alias `<INDEX>`. A rebuild
fills a new index, then moves the alias in one atomic call and deletes the old index, so searches
keep answering throughout; while it runs the new index also carries the alias
`<INDEX>-building`, and index()/delete() write to it too, so a change made during a rebuild is
not lost by the swap.

    SEARCH_BACKENDS = {"default": {
        "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
        "URL": "http://127.0.0.1:9200",  # or "URLS": [...] for several nodes
        "INDEX": "zhiku",            # alias name
        "TIMEOUT": 30,               # seconds, optional
        "FLAVOUR": "opensearch",     # optional: elasticsearch | opensearch (else asked of GET /)
        "SHARDS": 1, "REPLICAS": 1,  # optional, for new indices
        "OPTIONS": {...},            # optional keyword arguments of the client (auth, TLS)
    }}
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from itertools import islice

from elasticsearch.dsl import A, Date, Index, Keyword, Mapping, Q, Search, Text

from search.backends.base import (
    DATE_FIELDS,
    KEYWORD_FIELDS,
    PHRASE_FIELDS,
    STORED_FIELDS,
    TOKEN_FIELDS,
    EngineUnavailable,
    Hit,
    Phrase,
    SearchBackend,
    SearchRequest,
    SearchResponse,
    Should,
    split_should,
)

logger = logging.getLogger(__name__)

FLAVOURS = ("elasticsearch", "opensearch")
_BATCH = 500  # documents per bulk request
_KEYS_PAGE = 5_000


def _utc_iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _parse_date(value) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def index_body(alias: str, *, shards: int = 1, replicas: int | None = None) -> dict:
    """Return the body that creates one versioned index (settings, mappings) of `alias`."""
    mapping = Mapping()
    for name in TOKEN_FIELDS:
        # Text arrives tokenised by search.analysis: whitespace splits it, BM25 ranks it; only
        # the fields phrase queries run on pay for positions.
        mapping.field(
            name,
            Text(
                analyzer="whitespace",
                index_options="positions" if name in PHRASE_FIELDS else "freqs",
            ),
        )
    for name in KEYWORD_FIELDS:
        mapping.field(name, Keyword())
    for name in DATE_FIELDS:
        mapping.field(name, Date())
    for name in STORED_FIELDS:
        mapping.field(name, Text(index=False))
    # Tokens are rebuilt from the database, never read back: keep them out of _source.
    mapping.meta("_source", {"excludes": list(TOKEN_FIELDS)})
    mapping.meta("dynamic", False)
    index = Index(alias)
    settings = {"number_of_shards": shards}
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    index.settings(**settings)
    index.mapping(mapping)
    return index.to_dict()


def _source(doc: dict) -> dict:
    """Return the engine document of an index document (schema of search.backends.base)."""
    source: dict = {}
    for name in TOKEN_FIELDS:
        if doc.get(name):
            source[name] = doc[name]
    for name in KEYWORD_FIELDS:
        value = doc.get(name)
        values = value if isinstance(value, list | tuple | set) else [value]
        values = [str(item) for item in values if item not in (None, "")]
        if values:
            source[name] = values if len(values) > 1 or name not in ("key", "type") else values[0]
    for name in DATE_FIELDS:
        value = _utc_iso(doc.get(name))
        if value is not None:
            source[name] = value
    for name in STORED_FIELDS:
        value = doc.get(name)
        if value:
            source[name] = str(value)
    return source


def _phrase_query(phrase: Phrase) -> Q:
    text = " ".join(phrase.tokens)
    return Q(
        "bool",
        should=[
            Q("match_phrase", **{name: {"query": text, "analyzer": "whitespace"}})
            for name in phrase.fields
        ],
        minimum_should_match=1,
    )


def _should_query(should: Should) -> Q:
    body = {"value": should.token, "boost": should.boost}
    if should.prefix and should.fuzzy:
        # Tantivy's fuzzy prefix has no single equivalent here: a prefix or a near term.
        return Q(
            "bool",
            should=[
                Q("prefix", **{should.field: body}),
                Q("fuzzy", **{should.field: {**body, "fuzziness": should.fuzzy}}),
            ],
        )
    if should.prefix:
        return Q("prefix", **{should.field: body})
    if should.fuzzy:
        return Q("fuzzy", **{should.field: {**body, "fuzziness": should.fuzzy}})
    return Q("term", **{should.field: body})


def build_search(request: SearchRequest) -> Search:
    """Return the dsl Search of a request: trimmed to its audience, filtered, faceted, sorted."""
    if not request.audience:
        raise ValueError("a search needs the viewer's audience terms")
    audience = [str(term) for term in request.audience]
    filters = [Q("terms", read=audience), Q("terms", restrict=audience)]
    for name, values in request.filters.items():
        if name not in KEYWORD_FIELDS:
            raise ValueError(f"cannot filter on {name!r}")
        filters.append(Q("terms", **{name: [str(v) for v in values]}))
    for name, (start, end) in request.date_ranges.items():
        if name not in DATE_FIELDS:
            raise ValueError(f"no date field {name!r}")
        bounds = {}
        if start is not None:
            bounds["gte"] = _utc_iso(start)
        if end is not None:
            bounds["lte"] = _utc_iso(end)
        if bounds:
            filters.append(Q("range", **{name: bounds}))
    bool_args: dict = {"filter": filters}
    must = [_phrase_query(p) for p in request.must]
    matching, scoring = split_should(request.should)
    if matching:
        must.append(Q("bool", should=[_should_query(s) for s in matching], minimum_should_match=1))
    if scoring:  # beside a must, should clauses are optional: they only add to the score
        bool_args["should"] = [_should_query(s) for s in scoring]
    if must:
        bool_args["must"] = must
    if request.must_not:
        bool_args["must_not"] = [_phrase_query(p) for p in request.must_not]

    search = Search().query(Q("bool", **bool_args))
    if request.sort == "newest":
        search = search.sort({"updated": {"order": "desc"}}, {"key": "asc"})
    elif request.sort == "oldest":
        search = search.sort({"updated": {"order": "asc"}}, {"key": "asc"})
    else:
        search = search.sort({"_score": {"order": "desc"}}, {"key": "asc"})
    search = search.extra(track_total_hits=True, track_scores=True)
    search = search.source([*STORED_FIELDS, "key", "type", "updated"])
    search = search[request.offset : request.offset + request.limit]
    for name in request.facets:
        if name not in KEYWORD_FIELDS:
            raise ValueError(f"cannot facet on {name!r}")
        search.aggs.bucket(name, A("terms", field=name, size=request.facet_size))
    return search


# --- the two clients ------------------------------------------------------------------------


class _Client:
    """The few calls the backend makes, on either client (they differ in keyword names)."""

    def __init__(self, client, flavour: str):
        self.raw = client
        self.flavour = flavour

    def _refresh_param(self, refresh: bool) -> dict:
        if self.flavour == "opensearch":
            return {"params": {"refresh": "true"}} if refresh else {}
        return {"refresh": True} if refresh else {}

    def bulk(self, operations: list[dict], *, refresh: bool) -> dict:
        return _body(self.raw.bulk(body=operations, **self._refresh_param(refresh)))

    def search(self, index: str, body: dict) -> dict:
        return _body(self.raw.search(index=index, body=body))

    def count(self, index: str, body: dict | None = None) -> int:
        kwargs = {"body": body} if body else {}
        return int(_body(self.raw.count(index=index, **kwargs))["count"])

    def create_index(self, name: str, body: dict) -> None:
        self.raw.indices.create(index=name, body=body)

    def delete_index(self, names: list[str]) -> None:
        if names:
            self.raw.indices.delete(index=",".join(names))

    def refresh(self, index: str) -> None:
        self.raw.indices.refresh(index=index)

    def put_settings(self, index: str, settings: dict) -> None:
        self.raw.indices.put_settings(index=index, body=settings)

    def update_aliases(self, actions: list[dict]) -> None:
        self.raw.indices.update_aliases(body={"actions": actions})

    def alias_indices(self, names: list[str]) -> dict[str, list[str]]:
        """Return alias name -> indices it points to, for those of `names` that exist."""
        if self.flavour == "opensearch":
            rows = self.raw.cat.aliases(name=",".join(names), params={"format": "json"})
        else:
            rows = _body(self.raw.cat.aliases(name=names, format="json"))
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["alias"], []).append(row["index"])
        return found

    def close(self) -> None:
        self.raw.close()


def _body(response) -> dict:
    return getattr(response, "body", response)


def _transient_errors() -> tuple[type[BaseException], ...]:
    import elastic_transport
    import opensearchpy

    return (
        elastic_transport.ConnectionError,
        elastic_transport.ConnectionTimeout,
        opensearchpy.ConnectionError,
        opensearchpy.ConnectionTimeout,
    )


def _es8_transport_class():
    """Return a transport that asks an Elasticsearch 8 server for its own API version.

    The 9.x client sends `compatible-with=9`, which 8.x servers refuse; 8.x understands 8.
    """
    from elastic_transport import Transport

    class ES8CompatibleTransport(Transport):
        def perform_request(self, method, target, *, headers=None, **kwargs):
            if headers:
                headers = headers.copy()
                for name in ("accept", "content-type"):
                    value = headers.get(name)
                    if value:
                        headers[name] = value.replace("compatible-with=9", "compatible-with=8")
            return super().perform_request(method, target, headers=headers, **kwargs)

    return ES8CompatibleTransport


def connect(
    urls: str | list[str], *, flavour: str | None = None, timeout: float | None = None, **options
):
    """Return a client for the cluster at `urls`, of the flavour given or found at GET /."""
    hosts = [urls] if isinstance(urls, str) else list(urls)
    import opensearchpy

    os_kwargs = dict(options)
    if timeout is not None:
        os_kwargs["timeout"] = timeout
    major = None
    if flavour is None:
        # opensearch-py has no product check, so it can ask either engine who it is.
        probe = opensearchpy.OpenSearch(hosts=hosts, **os_kwargs)
        try:
            version = probe.info()["version"]
        finally:
            probe.close()
        flavour = "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"
        major = int(str(version.get("number", "0")).split(".")[0] or 0)
    if flavour not in FLAVOURS:
        raise ValueError(f"FLAVOUR must be one of {FLAVOURS}, not {flavour!r}")
    if flavour == "opensearch":
        return _Client(opensearchpy.OpenSearch(hosts=hosts, **os_kwargs), flavour)

    from elasticsearch import Elasticsearch

    es_kwargs = dict(options)
    if timeout is not None:
        es_kwargs["request_timeout"] = timeout
    if major == 8:
        es_kwargs.setdefault("transport_class", _es8_transport_class())
    return _Client(Elasticsearch(hosts, **es_kwargs), flavour)


# --- the backend ----------------------------------------------------------------------------


class ElasticsearchBackend(SearchBackend):
    def __init__(self, alias: str, params: dict):
        super().__init__(alias, params)
        urls = params.get("URLS") or params.get("URL")
        if not urls:
            raise ValueError("the elasticsearch backend needs URL (or URLS)")
        self.urls = [urls] if isinstance(urls, str) else [str(url) for url in urls]
        self.index_name = str(params.get("INDEX") or "zhiku").lower()
        self.building_alias = f"{self.index_name}-building"
        self.timeout = params.get("TIMEOUT")
        self.flavour = params.get("FLAVOUR") or None
        self.shards = int(params.get("SHARDS", 1))
        replicas = params.get("REPLICAS")
        self.replicas = None if replicas is None else int(replicas)
        self.options = dict(params.get("OPTIONS") or {})
        self._client: _Client | None = None
        self._ready = False
        self._lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def client(self) -> _Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = connect(
                            self.urls,
                            flavour=self.flavour,
                            timeout=None if self.timeout is None else float(self.timeout),
                            **self.options,
                        )
                    except _transient_errors() as err:
                        raise EngineUnavailable(str(err)) from err
        return self._client

    def _new_index_name(self) -> str:
        return f"{self.index_name}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}"

    def _ensure_alias(self) -> None:
        """Create the first index behind the alias unless the alias exists."""
        if self._ready:
            return
        client = self.client
        if not client.alias_indices([self.index_name]).get(self.index_name):
            body = index_body(self.index_name, shards=self.shards, replicas=self.replicas)
            body["aliases"] = {self.index_name: {}}
            # A fixed name: processes starting together create it once, the others get
            # "already exists" and use it.
            try:
                client.create_index(f"{self.index_name}-initial", body)
            except Exception as err:
                if "already_exists" not in str(err):
                    raise
        self._ready = True

    def _write_targets(self) -> list[str]:
        self._ensure_alias()
        found = self.client.alias_indices([self.index_name, self.building_alias])
        targets = found.get(self.index_name, []) + found.get(self.building_alias, [])
        return list(dict.fromkeys(targets))

    def _bulk(self, operations: list[dict], *, refresh: bool) -> None:
        try:
            result = self.client.bulk(operations, refresh=refresh)
        except _transient_errors() as err:
            raise EngineUnavailable(str(err)) from err
        if result.get("errors"):
            errors = [
                item for entry in result["items"] for item in entry.values() if item.get("error")
            ]
            if errors:
                raise EngineUnavailable(f"{len(errors)} bulk operations failed: {errors[:3]}")

    # --- writing ----------------------------------------------------------------------------

    def index(self, documents: Iterable[dict]) -> None:
        targets = None
        for batch in _batches(documents, _BATCH):
            targets = targets or self._write_targets()
            operations: list[dict] = []
            for doc in batch:
                source = _source(doc)
                for target in targets:
                    operations.append({"index": {"_index": target, "_id": doc["key"]}})
                    operations.append(source)
            self._bulk(operations, refresh=True)

    def delete(self, keys: Iterable[str]) -> None:
        targets = None
        for batch in _batches(keys, _BATCH):
            targets = targets or self._write_targets()
            operations = [
                {"delete": {"_index": target, "_id": key}} for key in batch for target in targets
            ]
            self._bulk(operations, refresh=True)

    def rebuild(self, documents: Iterable[dict]) -> int:
        self._ensure_alias()
        client = self.client
        new = self._new_index_name()
        body = index_body(self.index_name, shards=self.shards, replicas=self.replicas)
        body["aliases"] = {self.building_alias: {}}
        # No refreshes while filling: nobody searches the new index before the swap.
        body["settings"]["refresh_interval"] = "-1"
        client.create_index(new, body)
        count = 0
        try:
            for batch in _batches(documents, _BATCH):
                operations: list[dict] = []
                for doc in batch:
                    operations.append({"index": {"_index": new, "_id": doc["key"]}})
                    operations.append(_source(doc))
                self._bulk(operations, refresh=False)
                count += len(batch)
            client.put_settings(new, {"index": {"refresh_interval": None}})
            client.refresh(new)
            old = [
                name
                for name in client.alias_indices([self.index_name]).get(self.index_name, [])
                if name != new
            ]
            actions: list[dict] = [{"add": {"index": new, "alias": self.index_name}}]
            actions += [{"remove": {"index": name, "alias": self.index_name}} for name in old]
            actions.append({"remove": {"index": new, "alias": self.building_alias}})
            client.update_aliases(actions)
        except BaseException:
            try:
                client.delete_index([new])
            except Exception:
                logger.exception("could not delete the unfinished index %s", new)
            raise
        client.delete_index(old)
        return count

    def clear(self) -> None:
        # An empty rebuild: the alias moves to a fresh index, searches never see an error.
        self.rebuild(())

    # --- reading ----------------------------------------------------------------------------

    def _search(self, body: dict) -> dict:
        self._ensure_alias()
        try:
            return self.client.search(self.index_name, body)
        except _transient_errors() as err:
            raise EngineUnavailable(str(err)) from err

    def search(self, request: SearchRequest) -> SearchResponse:
        body = build_search(request).to_dict()
        result = self._search(body)
        hits = [
            Hit(key=hit["_id"], score=float(hit.get("_score") or 0.0), stored=_stored(hit))
            for hit in result["hits"]["hits"]
        ]
        facets = {
            name: [
                (str(bucket["key"]), int(bucket["doc_count"]))
                for bucket in result.get("aggregations", {}).get(name, {}).get("buckets", [])
            ]
            for name in request.facets
        }
        return SearchResponse(total=int(result["hits"]["total"]["value"]), hits=hits, facets=facets)

    def doc_freq(self, field_name: str, token: str) -> int:
        if field_name not in TOKEN_FIELDS and field_name not in KEYWORD_FIELDS:
            raise ValueError(f"no indexed field {field_name!r}")
        self._ensure_alias()
        query = Search().query(Q("term", **{field_name: token})).to_dict()
        return self.client.count(self.index_name, {"query": query["query"]})

    def count(self) -> int:
        self._ensure_alias()
        return self.client.count(self.index_name)

    def keys(self) -> set[str]:
        found: set[str] = set()
        search = Search().query(Q("match_all")).sort({"key": "asc"}).source(False)
        body = search.extra(size=_KEYS_PAGE, track_total_hits=False).to_dict()
        while True:
            hits = self._search(body)["hits"]["hits"]
            found.update(hit["_id"] for hit in hits)
            if len(hits) < _KEYS_PAGE:
                return found
            body["search_after"] = hits[-1]["sort"]

    def drop_index(self) -> None:
        """Delete every index behind the alias (tests, decommissioning); unlike clear()."""
        client = self.client
        found = client.alias_indices([self.index_name, self.building_alias])
        client.delete_index(sorted({name for names in found.values() for name in names}))
        self._ready = False

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None
            self._ready = False


def _stored(hit: dict) -> dict:
    source = hit.get("_source") or {}
    stored = {name: source.get(name) or "" for name in STORED_FIELDS}
    stored["category_path"] = json.loads(stored["category_path"] or "[]")
    stored["extra"] = json.loads(stored["extra"] or "{}")
    stored["type"] = source.get("type")
    stored["updated"] = _parse_date(source.get("updated"))
    return stored
