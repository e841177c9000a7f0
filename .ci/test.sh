#!/usr/bin/env bash
# Run every check of `make test` and print one summary line per step; exit non-zero if any
# failed. Runs pytest on SQLite, then on PostgreSQL + Redis when KB_TEST_DATABASE_URL and
# KB_TEST_BROKER_URL are set.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")

# The checks must not touch the data of a running `make run` (./var): give them their own.
scratch=$(mktemp -d -t zhiku-test-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export KB_DATA_DIR="$scratch/var"
# WhiteNoise warns on every request when STATIC_ROOT is missing; the tests use the finders.
mkdir -p "$KB_DATA_DIR/static"
# Settings of the developer's shell must not leak into the test runs.
unset KB_PROFILE KB_DATABASE_URL KB_BROKER_URL KB_RESULT_BACKEND KB_ELASTICSEARCH_URL \
    KB_SEARCH_BACKEND KB_TIKA_SERVER_URL KB_CELERY_EAGER KB_EMAIL_HOST

summary=()
failed=0

step() {  # step NAME COMMAND...: run, remember the outcome
    local name=$1; shift
    local started=$SECONDS
    echo "==> $name: $*"
    if "$@"; then
        summary+=("PASS  $name ($((SECONDS - started)) s)")
    else
        summary+=("FAIL  $name ($((SECONDS - started)) s)")
        failed=1
    fi
}

pytest_step() {  # pytest_step NAME: run pytest, summarise its last line
    local name=$1; shift
    local log="$scratch/pytest-${name//[^a-zA-Z0-9]/_}.log"
    local started=$SECONDS
    echo "==> $name: pytest"
    "$BIN/pytest" -q -rfEs "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    local result
    result=$(grep -E "(passed|failed|error|no tests ran)" "$log" | tail -n 1 | tr -d '=' | xargs)
    if [ "$status" = 0 ]; then
        summary+=("PASS  $name: $result ($((SECONDS - started)) s)")
    else
        summary+=("FAIL  $name: ${result:-pytest exited with $status} ($((SECONDS - started)) s)")
        failed=1
    fi
}

step "ruff check" "$BIN/ruff" check .
step "ruff format --check" "$BIN/ruff" format --check .
step "makemigrations --check" "$PY" manage.py makemigrations --check --dry-run
pytest_step "pytest on SQLite + filesystem broker"

if [ -n "${KB_TEST_DATABASE_URL:-}" ] && [ -n "${KB_TEST_BROKER_URL:-}" ]; then
    KB_DATABASE_URL=$KB_TEST_DATABASE_URL KB_BROKER_URL=$KB_TEST_BROKER_URL \
        pytest_step "pytest on PostgreSQL + Redis"
else
    summary+=("SKIP  pytest on PostgreSQL + Redis (set KB_TEST_DATABASE_URL and KB_TEST_BROKER_URL; .ci/run does)")
fi

echo
echo "================================ summary ================================"
printf '%s\n' "${summary[@]}"
if [ "$failed" = 0 ]; then echo "make test: all checks passed"; else echo "make test: FAILED"; fi
exit "$failed"
