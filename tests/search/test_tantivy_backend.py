"""What is particular to the Tantivy backend: one writer across processes, readers that see
other processes' commits, a versioned index directory, recovery from an unusable index."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import tantivy

from search.analysis import ANALYSIS_VERSION
from search.backends import tantivy as tantivy_backend
from search.backends.base import SearchRequest, Should
from search.backends.tantivy import SCHEMA_VERSION, EngineUnavailable, TantivyBackend

REPO = Path(__file__).resolve().parents[2]
AUDIENCE = ["public", "open"]


def doc(key: str, title: str = "齿轮", **fields) -> dict:
    return {
        "key": key,
        "type": "article",
        "title_w": title,
        "read": ["all", "public"],
        "restrict": ["all", "open"],
        "title": title,
        **fields,
    }


def hits(backend, token: str = "齿轮") -> list[str]:
    request = SearchRequest(audience=AUDIENCE, should=[Should("title_w", token)], limit=1000)
    return [hit.key for hit in backend.search(request).hits]


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def backend(root):
    instance = TantivyBackend("test", {"PATH": root})
    yield instance
    instance.close()


# A helper process that uses the same backend class on the same directory.
_CHILD = """
import sys
from search.backends.tantivy import TantivyBackend

path, mode = sys.argv[1], sys.argv[2]
backend = TantivyBackend("child", {"PATH": path})
doc = lambda key: {"key": key, "title_w": "齿轮", "title": key,
                   "read": ["public"], "restrict": ["open"]}
if mode == "hold":  # take the writer, say so, wait for a line, then commit and let go
    writer = backend.index_.writer(15_000_000, 1)
    print("locked", flush=True)
    sys.stdin.readline()
    writer.add_document(backend._document(doc("child:held")))
    writer.commit()
    writer.wait_merging_threads()
    print("released", flush=True)
elif mode == "batches":  # commit batches of 10 documents
    for batch in range(int(sys.argv[3])):
        backend.index(doc(f"child:{batch}:{n}") for n in range(10))
elif mode == "one":
    backend.index([doc("child:1")])
"""


def child(root: Path, mode: str, *args, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), mode, *map(str, args)],
        cwd=REPO,
        text=True,
        **popen,
    )


# --- the directory -------------------------------------------------------------------------


def test_index_lives_in_a_schema_version_directory(backend, root):
    backend.index([doc("k:1")])
    assert backend.path == root / f"v{SCHEMA_VERSION}.{ANALYSIS_VERSION}"
    assert (root / f"v{SCHEMA_VERSION}.{ANALYSIS_VERSION}" / "meta.json").exists()


def test_stored_text_comes_back_as_written_for_every_character(backend):
    # Stored fields are GB18030 bytes: every Unicode scalar value must survive the round trip
    # (rare CJK extensions, emoji, private use, controls), and so must long bodies.
    every = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    chunk = len(every) // 4 + 1
    parts = [every[i : i + chunk] for i in range(0, len(every), chunk)]
    backend.index(
        [doc(f"k:{n}", body=part, attachments=part[::-1]) for n, part in enumerate(parts)]
    )
    found = {
        hit.key: hit.stored
        for hit in backend.search(
            SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")], limit=10)
        ).hits
    }
    for n, part in enumerate(parts):
        assert found[f"k:{n}"]["body"] == part
        assert found[f"k:{n}"]["attachments"] == part[::-1]
    assert found["k:0"]["title"] == "齿轮"


# --- the text store beside the index ----------------------------------------------------------


def _text_rows(backend) -> dict[str, str]:
    with sqlite3.connect(backend.path / "texts.sqlite3") as db:
        return {
            key: body.decode("gb18030") for key, body in db.execute("SELECT key, body FROM texts")
        }


def test_long_texts_live_beside_the_index_and_follow_its_writes(backend):
    backend.index([doc("k:1", body="一"), doc("k:2", body="二")])
    assert _text_rows(backend) == {"k:1": "一", "k:2": "二"}
    backend.index([doc("k:1", body="新")])
    backend.delete(["k:2"])
    assert _text_rows(backend) == {"k:1": "新"}
    assert [
        hit.stored["body"]
        for hit in backend.search(
            SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")])
        ).hits
    ] == ["新"]
    backend.rebuild([doc("r:1", body="重建")])
    assert _text_rows(backend) == {"r:1": "重建"}
    backend.clear()
    assert _text_rows(backend) == {}


def test_a_failed_rebuild_keeps_the_texts_of_the_index(backend):
    backend.index([doc("k:1", body="一")])

    def documents():
        yield doc("r:1", body="新")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert backend.keys() == {"k:1"}
    assert _text_rows(backend) == {"k:1": "一"}


def test_a_hit_without_its_texts_still_shows(backend, caplog):
    backend.index([doc("k:1", body="一", url="/1/")])
    with sqlite3.connect(backend.path / "texts.sqlite3") as db:
        db.execute("DELETE FROM texts")
    with caplog.at_level(logging.WARNING, logger="search.backends.tantivy"):
        (hit,) = backend.search(
            SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")])
        ).hits
    assert (hit.stored["title"], hit.stored["url"], hit.stored["body"]) == ("齿轮", "/1/", "")
    assert "no stored texts for k:1" in caplog.text


def test_texts_are_read_from_a_recreated_index(root):
    reader = TantivyBackend("reader", {"PATH": root})
    writer = TantivyBackend("writer", {"PATH": root})
    writer.index([doc("k:1", body="旧")])
    assert [hit.stored["body"] for hit in _all(reader)] == ["旧"]
    writer.close()
    # Another process finds the index unusable and starts it again, text store included.
    writer._discard()
    writer = TantivyBackend("writer", {"PATH": root})
    writer.index([doc("k:2", body="新")])
    assert [hit.stored["body"] for hit in _all(reader)] == ["新"]


def _all(backend):
    return backend.search(SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")])).hits


# --- one writer across processes --------------------------------------------------------------


def test_writer_waits_for_another_process(backend, root, monkeypatch):
    backend.index([doc("k:first")])
    holder = child(root, "hold", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "locked"
        waits = []

        def sleep(seconds):
            # The first wait means our writer found the lock busy: let the other process finish.
            waits.append(seconds)
            if len(waits) == 1:
                holder.stdin.write("go\n")
                holder.stdin.flush()
                assert holder.stdout.readline().strip() == "released"

        monkeypatch.setattr(tantivy_backend.time, "sleep", sleep)
        backend.index([doc("k:mine")])
    finally:
        holder.kill() if holder.poll() is None else None
        holder.wait()
    assert len(waits) >= 1
    assert backend.keys() == {"k:first", "k:mine", "child:held"}


def test_writer_gives_up_after_the_wait(root, monkeypatch):
    backend = TantivyBackend("test", {"PATH": root, "WRITER_WAIT": 0})
    backend.index([doc("k:1")])
    holder = child(root, "hold", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(tantivy_backend.time, "sleep", lambda seconds: None)
        with pytest.raises(EngineUnavailable, match="another process holds"):
            backend.index([doc("k:2")])
    finally:
        holder.stdin.write("go\n")
        holder.stdin.close()
        holder.wait()
    assert backend.keys() == {"k:1", "child:held"}


def test_other_writer_errors_are_not_retried(backend, monkeypatch):
    class Index:
        def writer(self, *args):
            raise ValueError("An IO error occurred: 'No space left on device'")

    backend._index = Index()
    monkeypatch.setattr(tantivy_backend.time, "sleep", pytest.fail)
    with pytest.raises(EngineUnavailable, match="No space left"):
        backend.index([doc("k:1")])


def test_lock_busy_message_is_what_tantivy_raises(root):
    """Guard the text `_writer` matches: tantivy-py raises a plain ValueError."""
    backend = TantivyBackend("test", {"PATH": root})
    writer = backend.index_.writer(15_000_000, 1)
    try:
        with pytest.raises(ValueError) as raised:
            TantivyBackend("other", {"PATH": root}).index_.writer(15_000_000, 1)
        assert tantivy_backend._LOCK_BUSY in str(raised.value)
    finally:
        writer.wait_merging_threads()


def test_threads_of_one_process_take_turns(root):
    first = TantivyBackend("a", {"PATH": root})
    second = TantivyBackend("b", {"PATH": root, "WRITER_WAIT": 0})  # would fail if it spun
    errors = []

    def write(backend, name):
        try:
            for batch in range(5):
                backend.index(doc(f"{name}:{batch}:{n}") for n in range(20))
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [
        threading.Thread(target=write, args=(first, "a")),
        threading.Thread(target=write, args=(second, "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert first.count() == second.count() == 200


def test_failed_write_releases_the_writer(backend):
    with pytest.raises(KeyError):
        backend.index([doc("k:1"), {"title_w": "no key"}])
    assert backend.count() == 0
    backend.index([doc("k:2")])  # the lock was given back
    assert backend.keys() == {"k:2"}


# --- readers see commits -------------------------------------------------------------------


def test_reader_sees_a_commit_made_by_another_process(backend, root):
    assert backend.count() == 0  # the reader is open before the other process writes
    subprocess.run([sys.executable, "-c", _CHILD, str(root), "one"], cwd=REPO, check=True)
    assert backend.count() == 1
    assert hits(backend) == ["child:1"]


def test_reader_sees_whole_batches_while_another_process_writes(backend, root):
    backend.index([doc("k:0")])
    writer = child(root, "batches", 30)
    seen = []
    while writer.poll() is None:
        total = backend.search(SearchRequest(audience=AUDIENCE, limit=1)).total
        seen.append(total)
        assert (total - 1) % 10 == 0  # a commit is atomic: never part of a batch
    assert writer.returncode == 0
    assert seen == sorted(seen)
    assert backend.count() == 301
    assert len(hits(backend)) == 301


def test_second_instance_sees_first_instance_commits(root):
    first = TantivyBackend("a", {"PATH": root})
    second = TantivyBackend("b", {"PATH": root})
    assert second.count() == 0
    first.index([doc("k:1")])
    assert second.count() == 1
    first.delete(["k:1"])
    assert hits(second) == []


# --- an unusable index is recreated ------------------------------------------------------------


def _filled(root: Path) -> Path:
    backend = TantivyBackend("seed", {"PATH": root})
    backend.index([doc("k:1"), doc("k:2")])
    backend.close()
    return root / f"v{SCHEMA_VERSION}.{ANALYSIS_VERSION}"


def _assert_recreated(root: Path, caplog):
    with caplog.at_level(logging.WARNING, logger="search.backends.tantivy"):
        backend = TantivyBackend("test", {"PATH": root})
        assert backend.count() == 0
    assert "rebuild_search_index" in caplog.text
    backend.index([doc("k:new")])
    assert hits(backend) == ["k:new"]
    reopened = TantivyBackend("again", {"PATH": root})
    assert reopened.keys() == {"k:new"}


def test_corrupt_meta_file_is_recreated(root, caplog):
    path = _filled(root)
    (path / "meta.json").write_text("{not json")
    _assert_recreated(root, caplog)


def test_missing_segment_file_is_recreated(root, caplog):
    path = _filled(root)
    for segment_file in path.glob("*.idx"):
        segment_file.unlink()
    _assert_recreated(root, caplog)


def test_index_of_an_incompatible_version_is_recreated(root, caplog):
    path = _filled(root)
    # Each file's footer names the index format; claim one this Tantivy does not know yet.
    for segment_file in path.iterdir():
        data = segment_file.read_bytes()
        if b'"index_format_version":' in data[-200:]:
            head, _sep, tail = data.rpartition(b'"index_format_version":')
            segment_file.write_bytes(head + b'"index_format_version":' + b"9" + tail[1:])
    try:
        assert tantivy.Index.is_compatible(str(path)) is False
    except ValueError as err:
        assert "IncompatibleIndex" in str(err)
    _assert_recreated(root, caplog)


def test_index_with_another_schema_is_recreated(root, caplog):
    path = root / f"v{SCHEMA_VERSION}.{ANALYSIS_VERSION}"
    path.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True)
    tantivy.Index(builder.build(), path=str(path))
    _assert_recreated(root, caplog)


def test_a_healthy_index_is_kept(root, caplog):
    _filled(root)
    with caplog.at_level(logging.WARNING, logger="search.backends.tantivy"):
        assert TantivyBackend("test", {"PATH": root}).keys() == {"k:1", "k:2"}
    assert caplog.text == ""


# --- reading ---------------------------------------------------------------------------------


def test_keys_leave_out_deleted_documents(backend):
    backend.index(doc(f"k:{n}") for n in range(2000))
    backend.delete(f"k:{n}" for n in range(0, 2000, 2))
    assert backend.keys() == {f"k:{n}" for n in range(1, 2000, 2)}
    backend.rebuild(doc(f"r:{n}") for n in range(3))
    assert backend.keys() == {"r:0", "r:1", "r:2"}


def test_build_query_runs_on_the_bare_searcher(backend):
    backend.index([doc("k:1"), doc("k:2", "轴承")])
    query = backend.build_query(
        SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")])
    )
    result = backend.index_.searcher().search(query, limit=10)
    assert result.count == 1


def test_total_is_the_same_with_and_without_facets(backend):
    backend.index(doc(f"k:{n}", tags=[f"t{n % 3}"]) for n in range(50))
    request = SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")], limit=5)
    plain = backend.search(request)
    request.facets = ("tags",)
    faceted = backend.search(request)
    assert plain.total == faceted.total == 50
    assert [h.key for h in plain.hits] == [h.key for h in faceted.hits]
    assert sum(count for _value, count in faceted.facets["tags"]) == 50


def test_unknown_facet_field_is_refused(backend):
    with pytest.raises(ValueError, match="facet"):
        backend.search(SearchRequest(audience=AUDIENCE, facets=("read",)))


def test_facets_computed_beside_the_search_are_trimmed_and_exact(backend):
    secret = {"read": ["all", "staff"]}
    backend.index(
        [doc(f"k:{n}", tags=[f"t{n % 2}"]) for n in range(6)]
        + [doc(f"s:{n}", tags=["hidden"], **secret) for n in range(4)]
    )
    request = SearchRequest(
        audience=AUDIENCE, should=[Should("title_w", "齿轮")], facets=("tags", "type")
    )
    response = backend.search(request)
    assert response.total == 6
    assert dict(response.facets["tags"]) == {"t0": 3, "t1": 3}
    assert response.facets["type"] == [("article", 6)]


def test_a_failing_facet_aggregation_fails_the_search(backend, monkeypatch):
    backend.index([doc("k:1")])

    def broken(*args):
        raise ValueError("aggregation failed")

    monkeypatch.setattr(TantivyBackend, "_facets", staticmethod(broken))
    request = SearchRequest(audience=AUDIENCE, should=[Should("title_w", "齿轮")], facets=("tags",))
    with pytest.raises(ValueError, match="aggregation failed"):
        backend.search(request)
