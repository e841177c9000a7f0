"""Start the web server, the Celery worker and beat together; stop them all together.

`make run` ends here. The command reads Django's settings to build the three command lines, then
replaces itself with the standard-library supervisor in kb/ops/supervisor.py, so the supervising
process does not keep Django and Wagtail in memory while the site runs.
"""

from __future__ import annotations

import json
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from kb.ops.supervisor import main as supervise


def pid_file():
    """Return the file where the running supervisor records its process id."""
    return settings.DATA_DIR / "run_zhiku.pid"


def build_children(*, bind, web_workers, web_threads, concurrency, loglevel="INFO"):
    """Return the web, worker and beat commands, run with this Python so the venv is used."""
    python = sys.executable
    return [
        (
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(web_workers),
                "--threads",
                str(web_threads),
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "10",
                # Gunicorn 27 opens a control socket in ~/.gunicorn by default: two sites on one
                # account would fight over it, and nothing here uses it.
                "--no-control-socket",
                "--access-logfile",
                "-",
                "--log-level",
                loglevel.lower(),
            ],
        ),
        (
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                loglevel,
                "--hostname",
                "zhiku@%h",
                "--without-mingle",
                "--without-gossip",
            ],
        ),
        (
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                loglevel,
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        ),
    ]


class Command(BaseCommand):
    help = "Run the web server, the Celery worker and the beat scheduler until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.KB_BIND, help="host:port (KB_BIND)")
        parser.add_argument("--web-workers", type=int, default=settings.KB_WEB_WORKERS)
        parser.add_argument("--web-threads", type=int, default=settings.KB_WEB_THREADS)
        parser.add_argument("--concurrency", type=int, default=settings.KB_WORKER_CONCURRENCY)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--no-exec",
            action="store_true",
            help="Supervise from this process instead of replacing it (used by tests).",
        )

    def handle(self, *args, **options):
        bind = options["bind"]
        children = build_children(
            bind=bind,
            web_workers=options["web_workers"],
            web_threads=options["web_threads"],
            concurrency=options["concurrency"],
            loglevel=options["loglevel"],
        )
        host, _sep, port = bind.rpartition(":")
        # Probe through loopback: a wildcard address is not a host name ALLOWED_HOSTS accepts.
        probe_host = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        spec = {
            "children": [{"name": name, "argv": argv} for name, argv in children],
            "ready_url": f"http://{probe_host}:{port}/ops/health/",
            "ready_message": (
                f"Zhiku is running at http://{probe_host}:{port}/ "
                "(administration /admin/, system status /ops/status/). Ctrl-C stops it."
            ),
            "pid_file": str(pid_file()),
        }
        os.chdir(settings.BASE_DIR)
        # The children inherit this environment; the spec on the command line (visible in `ps`)
        # therefore carries no variable, no secret.
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.environ["PYTHONUNBUFFERED"] = "1"
        argv = [sys.executable, "-m", "kb.ops.supervisor", json.dumps(spec)]
        sys.stdout.flush()
        sys.stderr.flush()
        if options["no_exec"]:
            sys.exit(supervise(argv[2:]))
        os.execv(sys.executable, argv)
