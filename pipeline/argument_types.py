"""Command-line values checked where they are parsed, so that a wrong one is one line and exit 2.

Without these, ``--shards 0`` ended in a ZeroDivisionError inside the pipeline, ``--shards -3`` wrote
``part--0001.parquet`` files, ``--target-mb -1`` compacted every partition into one file per row, a
missing or malformed ``--aliases`` file failed in a Beam worker with pages of traceback, and an unknown
``--runner`` after the output was locked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
from typing import Callable


def _number(convert: Callable[[str], float], text: str, *, zero_allowed: bool) -> float:
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0 or (value == 0 and not zero_allowed):
        raise argparse.ArgumentTypeError(f"must be {'0 or more' if zero_allowed else 'more than 0'}, not {text}")
    return value


def positive_int(text: str) -> int:
    """An integer above 0 (shards, requests at once, batch sizes)."""
    return int(_number(int, text, zero_allowed=False))


def non_negative_int(text: str) -> int:
    """An integer of 0 or more (retries, rows shown)."""
    return int(_number(int, text, zero_allowed=True))


def positive_float(text: str) -> float:
    """A number above 0 (megabytes, seconds, rates)."""
    return _number(float, text, zero_allowed=False)


def utc_day(text: str) -> dt.date:
    """A day written ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day written YYYY-MM-DD: {text!r}") from None


def alias_file(text: str) -> str:
    """An entity alias file that reads and parses (checked now: later it fails inside a pipeline worker)."""
    from transforms.gazetteer import check_alias_file

    try:
        check_alias_file(text)
    except OSError as error:
        raise argparse.ArgumentTypeError(f"{text}: cannot read the file: {error.strerror}") from None
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def runner_name(text: str) -> str:
    """A Beam runner that exists here: the local default, a short name newsbeam maps, or Beam's own name."""
    from pipeline.options import LOCAL_RUNNERS, resolve_runner

    if text in LOCAL_RUNNERS:
        return text
    from apache_beam.runners.runner import create_runner

    try:
        create_runner(resolve_runner(text))
    except (ValueError, ImportError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise argparse.ArgumentTypeError(f"{text}: {first_line}") from None
    return text


def existing_directory(text: str) -> str:
    """A directory that exists (a mistyped one would be watched for ever, and nothing ever read)."""
    if not pathlib.Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {text}")
    return text
