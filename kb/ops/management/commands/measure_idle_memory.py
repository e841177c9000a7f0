"""Print the resident memory of a running `run_zhiku` process tree (web + worker + beat).

RSS counts pages shared between a parent and its forked children once per process, so the sum
over-states what the tree costs; PSS splits each shared page between its users and adds up to the
real figure. Both are printed. Linux only (reads /proc).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kb.ops.management.commands.run_zhiku import pid_file
from kb.ops.supervisor import answers


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may contain spaces; the fields after it do not.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """Return `root` and all its descendants."""
    children = _children_map()
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(tree)


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def role_of(cmdline: str) -> str:
    """Name the part of Zhiku a process belongs to from its command line."""
    if "kb.ops.supervisor" in cmdline or "run_zhiku" in cmdline:
        return "supervisor"
    if "gunicorn" in cmdline:
        return "web"
    if " worker" in cmdline:
        return "worker"
    if " beat" in cmdline:
        return "beat"
    return "other"


def measure(root: int) -> list[dict]:
    """Return pid, role, RSS and PSS (KiB) of every process in the tree of `root`."""
    rows = []
    for pid in process_tree(root):
        proc = Path("/proc") / str(pid)
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        rows.append(
            {
                "pid": pid,
                "role": role_of(cmdline),
                "rss": _kib(proc / "status", "VmRSS"),
                "pss": _kib(proc / "smaps_rollup", "Pss"),
            }
        )
    return rows


def _wait_for(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(url):
            return True
        time.sleep(0.5)
    return False


class Command(BaseCommand):
    help = "Print the idle memory (RSS and PSS) of web + worker + beat started by run_zhiku."

    def add_arguments(self, parser):
        parser.add_argument("--pid", type=int, help="supervisor pid (default: from the pid file)")
        parser.add_argument(
            "--start", action="store_true", help="start run_zhiku, measure it, then stop it"
        )
        parser.add_argument("--bind", default="127.0.0.1:8799", help="address used with --start")
        parser.add_argument(
            "--settle", type=float, default=20, help="idle seconds before measuring"
        )

    def handle(self, *args, **options):
        process = None
        if options["start"]:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "run_zhiku", "--bind", options["bind"]],
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            root = process.pid
        elif options["pid"]:
            root = options["pid"]
        else:
            try:
                root = int(pid_file().read_text())
            except FileNotFoundError:
                raise CommandError(
                    _("No %(path)s: start Zhiku (make run) or pass --start.") % {"path": pid_file()}
                ) from None
        try:
            if process is not None:
                started = time.monotonic()
                if not _wait_for(f"http://{options['bind']}/ops/health/", 180):
                    raise CommandError(_("Zhiku did not answer within 180 s."))
                self.stdout.write(f"web answered after {time.monotonic() - started:.1f} s")
            self.stdout.write(f"letting it idle for {options['settle']:.0f} s ...")
            time.sleep(options["settle"])
            self._report(measure(root))
        finally:
            if process is not None:
                os.kill(process.pid, signal.SIGTERM)
                process.wait(timeout=60)

    def _report(self, rows):
        if not rows:
            raise CommandError(_("No such process."))
        self.stdout.write(f"{'pid':>8}  {'role':<10} {'RSS MiB':>8} {'PSS MiB':>8}")
        for row in rows:
            self.stdout.write(
                f"{row['pid']:>8}  {row['role']:<10} {row['rss'] / 1024:8.1f} {row['pss'] / 1024:8.1f}"
            )
        self.stdout.write("by role:")
        for role in ("supervisor", "web", "worker", "beat", "other"):
            mine = [r for r in rows if r["role"] == role]
            if mine:
                rss = sum(r["rss"] for r in mine) / 1024
                pss = sum(r["pss"] for r in mine) / 1024
                self.stdout.write(
                    f"  {role:<10} {len(mine)} process(es)  RSS {rss:7.1f} MiB  PSS {pss:7.1f} MiB"
                )
        rss = sum(r["rss"] for r in rows) / 1024
        pss = sum(r["pss"] for r in rows) / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"idle total: {len(rows)} processes, RSS {rss:.1f} MiB (sum), PSS {pss:.1f} MiB"
            )
        )
