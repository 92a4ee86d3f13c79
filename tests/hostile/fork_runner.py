"""A warm process that runs ``newsbeam`` commands in forked children, for the crash tests.

A fresh ``python -m pipeline.cli`` spends its first five seconds importing Beam and building the gazetteer,
so a kill at a random moment would nearly always land before any file is written. This server does that
work once, then forks one child per command: each child is a real, separate process running the real CLI
from its first line, and it starts working at once, so that a SIGKILL can land anywhere in its run.

Protocol (one JSON document per line): the client writes an argv list; the server answers
``{"pid": ...}`` when the child has started and ``{"exit_code": ..., "signal": ..., "ended_at": ...}`` when it
has ended (``time.monotonic()`` then: the clock is the system's, so the client can tell whether a signal it sent
came before or after).
The children's own output goes to ``children.log`` in the working directory given on the command line.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import traceback
from typing import IO, Any

from tests.child_env import env_with_private_tmpdir
from tests.hostile.support import REPOSITORY


def _warm_up(work_dir: str) -> None:
    """Run one small ingest, so that every import, table and model a run needs is loaded before forking.

    The local runner's threads end with its run; forking with a thread alive could deadlock a child.
    """
    from pipeline.cli import main

    sample = os.path.join(work_dir, "warm-up.xml")
    with open(sample, "w", encoding="utf-8") as handle:
        handle.write('<rss version="2.0"><channel><item><title>Ferries from Baku</title>'
                     "<link>https://courier.example/warm-up</link><pubDate>Mon, 03 Jun 2024 10:00:00 +0000</pubDate>"
                     "<description>Ferries from Baku to Aktau run again after the storm.</description></item>"
                     "</channel></rss>")
    log = os.open(os.path.join(work_dir, "warm-up.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    saved = os.dup(1)
    os.dup2(log, 1)  # the summary it prints must not reach the protocol
    try:
        code = main(["ingest", sample, "--output", os.path.join(work_dir, "warm-up-output")])
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
    if code != 0:
        raise RuntimeError(f"warm-up ingest failed with exit code {code}")
    if threading.active_count() != 1:
        raise RuntimeError(f"threads running before fork: {threading.enumerate()}")


def _run_child(argv: list[str], log_path: str) -> None:
    """In the forked child: run the CLI with its output in the log, and leave with its exit code."""
    code = 70
    try:
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        from pipeline.cli import main

        code = main(argv)
    except BaseException:  # noqa: BLE001 - whatever happens, the child must end here, not in the server loop
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(work_dir: str) -> None:
    """Read argv lists from stdin, run each in a forked child, report pid and outcome on stdout."""
    _warm_up(work_dir)
    log_path = os.path.join(work_dir, "children.log")
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        argv = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_child(argv, log_path)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        ended_at = time.monotonic()  # the clock is the system's: the client compares it with its own
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        print(json.dumps({"exit_code": exit_code, "signal": signal, "ended_at": ended_at}), flush=True)


class ForkRunner:
    """The client side: start the server, then start, kill and wait for runs."""

    def __init__(self, work_dir: str) -> None:
        """Start the server; it and its children keep their temporary files in ``work_dir/tmp``."""
        env = env_with_private_tmpdir(pathlib.Path(work_dir) / "tmp")  # what a killed child leaves stays there
        self.log_path = pathlib.Path(work_dir) / "children.log"  # what the children print, appended
        self.last_ended_at = 0.0  # time.monotonic() when the last child ended
        self.process = subprocess.Popen([sys.executable, "-m", "tests.hostile.fork_runner", work_dir], env=env,
                                        cwd=REPOSITORY, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._read()["ready"]

    def _read(self) -> dict[str, Any]:
        stdout: IO[str] = self.process.stdout  # type: ignore[assignment]
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"fork runner ended (exit {self.process.wait()})")
        return json.loads(line)

    def start(self, argv: list[str]) -> int:
        """Start ``newsbeam ARGV`` in a child; its pid."""
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.write(json.dumps(argv) + "\n")
        stdin.flush()
        return self._read()["pid"]

    def wait(self) -> dict[str, Any]:
        """Wait for the running child: ``{"exit_code": int | None, "signal": int | None}``; when it ended
        (``time.monotonic()``) is kept in ``last_ended_at``."""
        outcome = self._read()
        self.last_ended_at = outcome.pop("ended_at")
        return outcome

    def run(self, argv: list[str]) -> int:
        """Run ``newsbeam ARGV`` to the end; its exit code."""
        self.start(argv)
        outcome = self.wait()
        assert outcome["signal"] is None, outcome
        return outcome["exit_code"]

    def close(self) -> None:
        """Stop the server (it ends when its stdin closes)."""
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    serve(sys.argv[1])
