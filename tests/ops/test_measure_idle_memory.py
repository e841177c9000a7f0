import os
import subprocess
import sys

from kb.ops.management.commands.measure_idle_memory import measure, process_tree, role_of


def test_the_tree_holds_the_children_and_their_memory():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in process_tree(child.pid)
        rows = {row["pid"]: row for row in measure(child.pid)}
        assert rows[child.pid]["rss"] > 1000  # KiB: a Python interpreter is several MiB
        assert child.pid in process_tree(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_roles_are_named_from_the_command_line():
    assert role_of("python -m kb.ops.supervisor {}") == "supervisor"
    assert role_of("python -m gunicorn config.wsgi:application") == "web"
    assert role_of("python -m celery -A config worker --concurrency 2") == "worker"
    assert role_of("python -m celery -A config beat --loglevel INFO") == "beat"
