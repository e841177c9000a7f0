"""Check the extraction adapter against a manifest of files with expected text."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.extraction import Status, get_extractor
from documents.extraction.normalize import normalize_text


def check_entry(extractor, folder: Path, entry: dict) -> dict:
    """Extract one manifest entry and judge it; return the per-file report."""
    name = entry["file"]
    expected = list(entry.get("expect") or [])
    started = time.monotonic()
    result = extractor.extract(folder / name, password=entry.get("password") or None)
    seconds = round(time.monotonic() - started, 3)
    haystack = normalize_text(result.text)
    missing = [s for s in expected if normalize_text(s) not in haystack]
    if entry.get("broken") and not expected:
        # A broken file with nothing to salvage must be reported as failed, with a reason.
        ok = result.status == Status.FAILED and bool(result.error)
    else:
        ok = result.status == Status.EXTRACTED and not missing
    return {
        "file": name,
        "ok": ok,
        "status": str(result.status),
        "error": result.error,
        "missing": missing,
        "seconds": seconds,
    }


class Command(BaseCommand):
    help = "Extract every file in a manifest and check that the expected text comes out."

    def add_arguments(self, parser):
        parser.add_argument("--manifest", required=True, help="manifest.jsonl; files lie beside it")
        parser.add_argument("--json", action="store_true", help="print a JSON report")

    def handle(self, *args, **options):
        manifest = Path(options["manifest"])
        try:
            lines = manifest.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise CommandError(f"Cannot read {manifest}: {err.strerror}") from err
        try:
            entries = [json.loads(line) for line in lines if line.strip()]
        except json.JSONDecodeError as err:
            raise CommandError(f"{manifest} is not JSON lines: {err}") from err

        extractor = get_extractor()
        files = []
        for entry in entries:
            report = check_entry(extractor, manifest.parent, entry)
            files.append(report)
            if not options["json"]:
                self._print_line(report)
        passed = sum(1 for f in files if f["ok"])
        failed = len(files) - passed
        if options["json"]:
            payload = {"passed": passed, "failed": failed, "files": files}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            total = sum(f["seconds"] for f in files)
            self.stdout.write(f"{passed} passed, {failed} failed ({total:.1f} s)")

    def _print_line(self, report: dict) -> None:
        mark = self.style.SUCCESS("ok  ") if report["ok"] else self.style.ERROR("FAIL")
        line = f"{mark} {report['file']}  {report['status']}  {report['seconds']:.2f} s"
        if report["error"]:
            line += f"  [{report['error'][:160]}]"
        if report["missing"]:
            line += f"  missing: {report['missing']}"
        self.stdout.write(line)
