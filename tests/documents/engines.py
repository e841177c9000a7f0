"""Test-only engines that misbehave on demand, run inside real spawned extraction children.

The file name says what to do: "slow" sleeps past any test timeout, "crash" kills the process
with SIGSEGV, "hog" allocates and holds a lot of memory; anything else returns the file's bytes
as text. They go through the same base-class flow as the Tika engines.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from documents.extraction.base import Extractor, RawExtraction


class MisbehavingExtractor(Extractor):
    name = "misbehaving"

    def ocr_available(self) -> bool:
        return False

    def engine_extract(self, path: Path) -> RawExtraction:
        if "slow" in path.name:
            time.sleep(120)
        if "crash" in path.name:
            os.kill(os.getpid(), signal.SIGSEGV)
        if "hog" in path.name:
            hoard = bytearray(600 * 1024 * 1024)
            for i in range(0, len(hoard), 4096):  # touch every page so it is resident
                hoard[i] = 1
            time.sleep(120)
        return RawExtraction(text=path.read_text("utf-8"), metadata={}, mime_type="text/x-test")
