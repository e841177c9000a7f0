"""Fixtures for extraction tests: a live Apache Tika server and both isolated extractors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from documents.extraction import INPROCESS_ENGINE, SERVER_ENGINE, IsolatedExtractor

# The newest tika-server-standard the project's Maven mirror serves (3.2.x/3.3.x are missing).
TIKA_SERVER_VERSION = os.environ.get("KB_TEST_TIKA_SERVER_VERSION", "3.1.0")
TIKA_CACHE = Path(os.environ.get("KB_TEST_TIKA_CACHE", Path.home() / ".cache" / "zhiku" / "tika"))

ENGINE_OPTIONS = {"max_bytes": 20 * 1024 * 1024, "max_chars": 1_000_000, "timeout": 60}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tika_server_jar() -> Path:
    jar = TIKA_CACHE / f"tika-server-standard-{TIKA_SERVER_VERSION}.jar"
    if jar.exists():
        return jar
    TIKA_CACHE.mkdir(parents=True, exist_ok=True)
    artifact = f"org.apache.tika:tika-server-standard:{TIKA_SERVER_VERSION}"
    completed = subprocess.run(
        [
            "mvn",
            "-q",
            "dependency:copy",
            f"-Dartifact={artifact}",
            f"-DoutputDirectory={TIKA_CACHE}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if completed.returncode != 0 or not jar.exists():
        pytest.fail(f"Could not fetch {artifact} with mvn:\n{completed.stdout[-2000:]}")
    return jar


@pytest.fixture(scope="session")
def tika_server_url():
    """Start Apache Tika's own server on loopback for the session and return its URL."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"live Tika server tests need {' and '.join(missing)} on PATH")
    jar = _tika_server_jar()
    port = _free_port()
    log = TIKA_CACHE / f"server-{port}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["java", "-jar", str(jar), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/version", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Tika server did not start; see {log}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session", params=["inprocess", "server"])
def extractor(request):
    """Each engine in its isolated child, reused for the whole session."""
    if request.param == "server":
        url = request.getfixturevalue("tika_server_url")
        isolated = IsolatedExtractor(
            SERVER_ENGINE, {**ENGINE_OPTIONS, "server_url": url}, timeout=90
        )
    else:
        isolated = IsolatedExtractor(INPROCESS_ENGINE, dict(ENGINE_OPTIONS), timeout=90)
    isolated.engine_name = request.param
    yield isolated
    isolated.close()
