"""Start a real OpenSearch node on loopback for the search tests, without Docker.

OpenSearch's server jar and its netty4 HTTP module come from Maven Central (pom.xml beside this
file); a small launcher (src/zhiku/OpenSearchTestNode.java) embeds them in a plain JVM. The jars
and the compiled launcher are cached under ~/.cache/zhiku-opensearch/<hash of pom + launcher>
(or $ZHIKU_OPENSEARCH_CACHE), so only the first run downloads and compiles.

    python -m tests.search.opensearch.node    # start a node, print its URL, stop on Ctrl-C
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LAUNCHER = HERE / "src" / "zhiku" / "OpenSearchTestNode.java"
MAIN_CLASS = "zhiku.OpenSearchTestNode"
READY_PREFIX = "ZHIKU_OPENSEARCH_HTTP="
JVM_OPTIONS = ("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true")
START_TIMEOUT = float(os.environ.get("ZHIKU_OPENSEARCH_START_TIMEOUT", 180))


class NodeError(RuntimeError):
    """The node could not be built or started (the message carries the tool's output)."""


def cache_root() -> Path:
    if os.environ.get("ZHIKU_OPENSEARCH_CACHE"):
        return Path(os.environ["ZHIKU_OPENSEARCH_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "zhiku-opensearch"


def missing_tools() -> str | None:
    """Return why a node cannot be built here (no java, javac or mvn), or None."""
    missing = [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]
    if missing:
        return f"OpenSearch test node needs {', '.join(missing)} on PATH (not found)"
    return None


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, cwd=HERE)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise NodeError(f"{what} failed ({result.returncode}): {output}")


def build(cache: Path | None = None) -> Path:
    """Fetch the jars and compile the launcher unless cached; return the build folder."""
    cache = cache or cache_root()
    digest = hashlib.sha256(POM.read_bytes() + LAUNCHER.read_bytes()).hexdigest()[:16]
    folder = cache / digest
    if (folder / "ready").exists():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    # Parallel test processes build once: the others wait for the lock, then find it ready.
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "ready").exists():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        lib, classes = folder / "lib", folder / "classes"
        _run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={lib}",
                "-DincludeScope=runtime",
            ],
            "mvn dependency:copy-dependencies",
        )
        classes.mkdir(parents=True)
        _run(
            ["javac", "-d", str(classes), "-cp", f"{lib}/*", str(LAUNCHER)],
            "javac OpenSearchTestNode.java",
        )
        (folder / "ready").write_text(digest)
        for stale in cache.iterdir():  # builds of earlier versions of the pom or launcher
            if stale.is_dir() and stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
    return folder


def answers(url: str, timeout: float = 2.0) -> dict | None:
    """Return the body of GET / at `url`, or None when nothing answers there."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout) as response:
            return json.load(response)
    except (OSError, ValueError):
        return None


class OpenSearchNode:
    """One OpenSearch node in a child JVM, its data in a temporary folder removed on stop."""

    def __init__(self, *, port: int = 0, cache: Path | None = None):
        self.port = port
        self.cache = cache
        self.url: str | None = None
        self.home: Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        assert self.home is not None
        return self.home / "node.log"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start(self) -> str:
        """Start the node and return its URL once GET / answers."""
        folder = build(self.cache)
        self.home = Path(tempfile.mkdtemp(prefix="zhiku-opensearch-"))
        classpath = f"{folder / 'classes'}{os.pathsep}{folder / 'lib'}/*"
        # Output goes to a file: an unread pipe would block the JVM once its buffer fills.
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    "java",
                    *JVM_OPTIONS,
                    "-cp",
                    classpath,
                    MAIN_CLASS,
                    str(self.home / "node"),
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                # The launcher exits when this pipe closes: when we stop it, or die.
                stdin=subprocess.PIPE,
            )
        try:
            return self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self) -> str:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NodeError(
                    f"OpenSearch exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            address = self._ready_address()
            if address and answers(f"http://{address}"):
                self.url = f"http://{address}"
                return self.url
            time.sleep(0.2)
        raise NodeError(
            f"OpenSearch did not answer within {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def _ready_address(self) -> str | None:
        for line in self.log_tail(1_000_000).splitlines():
            if line.startswith(READY_PREFIX):
                return line[len(READY_PREFIX) :].strip()
        return None

    def stop(self) -> None:
        """Stop the JVM (it closes the node on SIGTERM) and remove the data folder."""
        if self.process is not None and self.process.poll() is None:
            if self.process.stdin:
                with contextlib.suppress(OSError):
                    self.process.stdin.close()
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
        self.url = None

    def __enter__(self) -> OpenSearchNode:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def running_node(**kwargs) -> Iterator[str]:
    """Yield the URL of a freshly started node; stop it afterwards."""
    node = OpenSearchNode(**kwargs)
    node.start()
    try:
        yield node.url
    finally:
        node.stop()


def _stop_on_signal(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    # A background job starts with SIGINT ignored: make both signals stop the node cleanly.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    started = time.monotonic()
    with running_node() as url:
        print(f"OpenSearch at {url} (started in {time.monotonic() - started:.1f} s); Ctrl-C stops")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
