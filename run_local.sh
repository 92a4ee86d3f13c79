#!/usr/bin/env bash
# Set up .venv (once; again only when pyproject.toml changes) and run the sample job or the tests.
#   ./run_local.sh          ingest the bundled sample into ./out and print the summary
#   ./run_local.sh test     run the test suite (extra arguments go to pytest)
#   ./run_local.sh bench    run the throughput benchmark (extra arguments go to it)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV=".venv"
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ]; then
    echo "newsbeam: installing into $VENV (first run or pyproject.toml changed)..." >&2
    LOG="$VENV/install.log"
    {
        "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip || true
        "$VENV/bin/python" -m pip install --disable-pip-version-check -e '.[dev]' \
            && "$VENV/bin/python" -c "import apache_beam, feedparser, pyarrow, duckdb, pipeline.cli"
    } >"$LOG" 2>&1 || { tail -n 40 "$LOG" >&2; echo "newsbeam: installation failed (log: $LOG)" >&2; exit 1; }
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
fi

mode="${1:-run}"
case "$mode" in
    test)
        shift
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    bench)
        shift
        exec "$VENV/bin/python" -m benchmarks.throughput "$@"
        ;;
    run)
        [ $# -gt 0 ] && shift
        exec "$VENV/bin/newsbeam" ingest examples/sample/feeds examples/sample/pages \
            examples/sample/articles.jsonl examples/sample/broken --output out \
            --aliases examples/sample/aliases.toml "$@"
        ;;
    *)
        echo "usage: $0 [run|test|bench] [args...]" >&2
        exit 2
        ;;
esac
