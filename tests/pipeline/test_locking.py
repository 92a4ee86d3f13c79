"""One run per output directory: a second run is refused clearly, or waits its turn when asked to."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import threading
import time
from typing import Iterator

import pytest

from pipeline.locking import OutputLockedError, output_lock

REPO = pathlib.Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from pipeline.locking import output_lock
with output_lock(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.read()  # hold until the test closes our stdin (or kills us)
"""


@pytest.fixture
def held_by_other_process(tmp_path: pathlib.Path) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=REPO, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=10)


def test_second_lock_is_refused_while_another_process_holds_it(tmp_path: pathlib.Path,
                                                                held_by_other_process: subprocess.Popen[str]) -> None:
    with pytest.raises(OutputLockedError) as refused:
        with output_lock(str(tmp_path)):
            pytest.fail("entered a locked output directory")
    message = str(refused.value)
    assert str(tmp_path) in message
    assert f"pid {held_by_other_process.pid}" in message
    assert "--lock-wait" in message


def test_lock_is_free_again_after_the_holder_exits(tmp_path: pathlib.Path,
                                                    held_by_other_process: subprocess.Popen[str]) -> None:
    assert held_by_other_process.stdin is not None
    held_by_other_process.stdin.close()
    held_by_other_process.wait(timeout=10)
    with output_lock(str(tmp_path)):
        pass


def test_killed_holder_does_not_leave_the_directory_locked(tmp_path: pathlib.Path,
                                                            held_by_other_process: subprocess.Popen[str]) -> None:
    held_by_other_process.kill()
    held_by_other_process.wait(timeout=10)
    with output_lock(str(tmp_path)):
        pass


def test_second_lock_in_the_same_process_is_refused_too(tmp_path: pathlib.Path) -> None:
    with output_lock(str(tmp_path)):
        with pytest.raises(OutputLockedError):
            with output_lock(str(tmp_path)):
                pass


def test_wait_s_waits_for_the_holder_and_then_succeeds(tmp_path: pathlib.Path) -> None:
    acquired, release = threading.Event(), threading.Event()

    def hold() -> None:
        with output_lock(str(tmp_path)):
            acquired.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert acquired.wait(10)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    with output_lock(str(tmp_path), wait_s=10):
        waited_s = time.monotonic() - started
    holder.join(10)
    assert 0.3 < waited_s < 5


def test_wait_s_gives_up_after_the_wait(tmp_path: pathlib.Path) -> None:
    with output_lock(str(tmp_path)):
        started = time.monotonic()
        with pytest.raises(OutputLockedError):
            with output_lock(str(tmp_path), wait_s=0.5):
                pass
        assert 0.4 < time.monotonic() - started < 10


def test_lock_is_released_when_the_block_raises(tmp_path: pathlib.Path) -> None:
    with pytest.raises(RuntimeError):
        with output_lock(str(tmp_path)):
            raise RuntimeError("run failed")
    with output_lock(str(tmp_path)):
        pass


def test_lock_file_lives_under_state_and_records_the_holder(tmp_path: pathlib.Path) -> None:
    with output_lock(str(tmp_path / "out")):
        lock_file = tmp_path / "out" / "_state" / "run.lock"
        assert lock_file.read_text().startswith("pid ")
