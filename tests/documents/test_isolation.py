"""The extraction child: spawned, reused, and replaced when it hangs, crashes or eats memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from documents.extraction import ErrorCode, IsolatedExtractor, Status

ENGINE = "tests.documents.engines.MisbehavingExtractor"


@pytest.fixture
def isolated():
    extractor = IsolatedExtractor(
        ENGINE, {"max_chars": 1000}, timeout=2, max_memory_bytes=300 << 20
    )
    yield extractor
    extractor.close()


def _file(tmp_path: Path, name: str, text: str = "正常的文件内容") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_children_are_spawned_not_forked(isolated):
    assert isolated._context.get_start_method() == "spawn"


def test_child_is_reused_between_files(isolated, tmp_path):
    first = isolated.extract(_file(tmp_path, "a.txt"))
    pid = isolated._process.pid
    second = isolated.extract(_file(tmp_path, "b.txt"))

    assert first.status == second.status == Status.EXTRACTED
    assert isolated._process.pid == pid


def test_hanging_child_times_out_and_is_replaced(isolated, tmp_path):
    # The test engine sleeps two minutes on a file named "slow"; the limit here is 2 s.
    started = time.monotonic()
    result = isolated.extract(_file(tmp_path, "slow.txt"))
    elapsed = time.monotonic() - started

    assert result.status == Status.FAILED
    assert result.error_code == ErrorCode.TIMEOUT
    assert result.error.startswith("timeout")
    assert elapsed < 10
    after = isolated.extract(_file(tmp_path, "next.txt"))
    assert after.status == Status.EXTRACTED
    assert "正常的文件内容" in after.text


def test_crashing_child_is_reported_and_replaced(isolated, tmp_path):
    result = isolated.extract(_file(tmp_path, "crash.txt"))

    assert result.status == Status.FAILED
    assert result.error_code == ErrorCode.CRASHED
    assert "SIGSEGV" in result.error
    assert isolated.extract(_file(tmp_path, "fine.txt")).status == Status.EXTRACTED


def test_child_over_the_memory_limit_is_killed(isolated, tmp_path):
    # The engine holds 600 MB on a "hog" file; the watchdog's limit is 300 MB.
    isolated.timeout = 30
    result = isolated.extract(_file(tmp_path, "hog.txt"))

    assert result.status == Status.FAILED
    # RLIMIT_DATA is set at four times the watched limit, so the watchdog acts first.
    assert result.error_code == ErrorCode.MEMORY
    assert result.error.startswith("memory limit")
    assert isolated.extract(_file(tmp_path, "fine.txt")).status == Status.EXTRACTED


def test_output_above_the_cap_is_truncated_and_marked(isolated, tmp_path):
    result = isolated.extract(_file(tmp_path, "long.txt", "长" * 5000))

    assert result.status == Status.EXTRACTED
    assert len(result.text) == 1000
    assert result.metadata["truncated"] is True


def test_parent_process_never_loads_in_process_tika(tmp_path):
    sample = _file(tmp_path, "样本.txt", "父进程不加载 Tika")
    script = textwrap.dedent(
        f"""
        import sys, django
        django.setup()
        from documents.extraction import get_extractor
        result = get_extractor().extract({str(sample)!r})
        assert result.status == "extracted", result
        assert "iscc_tika" not in sys.modules, "the parent imported in-process Tika"
        print("ok")
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("KB_TIKA_SERVER_URL", None)
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "ok"


def test_an_idle_child_is_stopped_to_free_its_memory(tmp_path):
    extractor = IsolatedExtractor(
        ENGINE, {"max_chars": 1000}, timeout=5, max_memory_bytes=300 << 20, idle_seconds=0.5
    )
    try:
        assert extractor.extract(_file(tmp_path, "a.txt")).status == Status.EXTRACTED
        child = extractor._process
        assert child.is_alive()
        # The idle timer stops it; join returns as soon as it has (a loaded CI can be slow).
        child.join(30)
        assert not child.is_alive()
        # The next file starts a new child.
        assert extractor.extract(_file(tmp_path, "b.txt")).status == Status.EXTRACTED
        assert extractor._process is not None and extractor._process.pid != child.pid
    finally:
        extractor.close()
