"""The ``newsbeam`` command line: one entry point, one subcommand per mode.

Arguments this CLI does not know are Beam pipeline options and pass through to Beam unchanged
(``--direct_num_workers 2``, ``--dask_client_address``, ``--project`` ...).
"""

from __future__ import annotations

import argparse
import difflib
import errno
import logging
import pathlib
import re
import signal
import sys
from typing import Any, Callable, Sequence

from pipeline.allocator import choose_arrow_allocator

# Before the imports below load pyarrow, so that every command and every worker process it starts gets it.
choose_arrow_allocator()

from pipeline.argument_types import alias_file, positive_float, positive_int, runner_name  # noqa: E402
from pipeline.options import RunOptions, new_run_id  # noqa: E402 (after the allocator choice)
from transforms.settings import TransformSettings  # noqa: E402

LOG = logging.getLogger("newsbeam")
URL_ARGUMENT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|[^\\/])")  # scheme:// or data:..., not C:\ or a path
MEBIBYTE = 1024 * 1024


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by every mode that runs the pipeline."""
    parser.add_argument("--output", "-o", required=True, help="output directory (datasets, state, manifests)")
    parser.add_argument("--aliases", action="append", default=[], metavar="TOML", type=alias_file,
                        help="extra entity alias file (repeatable)")
    parser.add_argument("--min-city-population", type=int, default=TransformSettings.min_city_population)
    parser.add_argument("--cache-dir", metavar="DIR", default=None,
                        help="where the built entity gazetteer is kept between runs (default OUTPUT/_state/cache)")
    parser.add_argument("--no-main-content", action="store_true", help="skip boilerplate removal on full pages")
    parser.add_argument("--no-language-detection", action="store_true")
    parser.add_argument("--shards", type=positive_int, default=8, help="files per partition (default 8)")
    parser.add_argument("--max-document-mb", type=positive_float, default=50.0, help="larger inputs are refused")
    parser.add_argument("--fail-on-error", action="store_true", help="exit 1 when any error record was written")
    parser.add_argument("--runner", type=runner_name, default="FnApiRunner",
                        help="FnApiRunner (local, default), DaskRunner, or any Beam runner name")
    parser.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another run on the same output to finish")
    parser.add_argument("--run-id", default=None, help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="newsbeam", description="Ingest news feeds, pages and archives into partitioned Parquet.")
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument("--log-level", default=None,
                        help="DEBUG, INFO, WARNING (default) or ERROR; `stream` logs its windows at INFO, its default")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="ingest files: feeds, HTML pages, JSON Lines (gz too)")
    ingest.add_argument("paths", nargs="+", help="files, directories or globs")
    _add_run_arguments(ingest)
    from pipeline.scheduled_run import add_run_parser
    from pipeline.streaming import add_stream_parser

    from pipeline.backfill import add_backfill_parser
    from pipeline.compaction import add_compact_parser
    from pipeline.inspection import add_inspect_parser
    from pipeline.prune import add_prune_parser
    from pipeline.repair import add_repair_parser

    add_run_parser(commands, _add_run_arguments)
    add_stream_parser(commands, _add_run_arguments)
    add_backfill_parser(commands, _add_run_arguments)
    add_compact_parser(commands, _add_run_arguments)
    add_inspect_parser(commands, _add_run_arguments)
    add_prune_parser(commands, _add_run_arguments)
    add_repair_parser(commands, _add_run_arguments)
    return parser


def run_options_from(args: argparse.Namespace, mode: str, inputs: Sequence[str], beam_args: Sequence[str]) -> RunOptions:
    """The one options object, from parsed arguments."""
    output_dir = pathlib.Path(args.output).resolve()
    transforms = TransformSettings(
        alias_paths=tuple(str(pathlib.Path(path).resolve()) for path in args.aliases),
        min_city_population=args.min_city_population,
        cache_dir=str(pathlib.Path(args.cache_dir).resolve() if args.cache_dir else output_dir / "_state" / "cache"),
        extract_main_content=not args.no_main_content, detect_language=not args.no_language_detection,
    )
    return RunOptions(
        mode=mode, inputs=tuple(inputs), output_dir=str(output_dir),
        run_id=args.run_id or new_run_id(), transforms=transforms, num_shards=args.shards,
        max_document_bytes=int(args.max_document_mb * MEBIBYTE), fail_on_error=args.fail_on_error,
        runner=args.runner, beam_args=tuple(beam_args), lock_wait_s=args.lock_wait,
    )


def exit_code(manifest: dict[str, Any], fail_on_error: bool) -> int:
    """0 on success; 1 when nothing at all could be processed, or on any error with --fail-on-error.

    Exit 1 is explained in one line on stderr: the summary above it looks like any other run's.
    """
    counts = manifest["counts"]
    if fail_on_error and counts["errors"]:
        print(f"newsbeam: {counts['errors']} error rows written and --fail-on-error given: exit 1", file=sys.stderr)
        return 1
    if counts["items_parsed"] == 0 and (counts["errors"] or not counts["inputs_read"]):
        print(f"newsbeam: no input gave an item ({counts['errors']} error rows, see OUT/errors): exit 1",
              file=sys.stderr)
        return 1
    return 0


def misspelt_option(parser: argparse.ArgumentParser, command: str, beam_args: Sequence[str]) -> str | None:
    """What to say of a passed-through argument that is no Beam option, or None.

    Beam's options are written with underscores (``--direct_num_workers``) or are one word (``--project``),
    newsbeam's with hyphens: a hyphenated one newsbeam does not know (``--fail-on-errors``), or one word close
    to one of its own (``--outptu``), is a typo, which Beam would only log as unparseable while the run went on
    without it.
    """
    subcommands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    known = [option for option in subcommands.choices[command]._option_string_actions if option.startswith("--")]
    for name in (argument.split("=", 1)[0] for argument in beam_args if argument.startswith("--")):
        if name in parser._option_string_actions:
            return f"{name} goes before the command: newsbeam {name} ... {command} ..."
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if "-" in name[2:] or ("_" not in name and close):
            return f"unknown option {name}" + (f" (did you mean {close[0]}?)" if close else "")
    return None


def refuse_output_command(command: str, output: str, beam_args: Sequence[str]) -> int | None:
    """For the commands on an output directory that run no pipeline (``compact``, ``inspect``, ``prune``,
    ``repair``): exit 2 for Beam options, which they do not take, or 1 for an output directory that does not
    exist, each said in one line on stderr; None when neither."""
    if beam_args:
        print(f"newsbeam {command}: unknown arguments {' '.join(beam_args)}", file=sys.stderr)
        return 2
    if not pathlib.Path(output).is_dir():
        print(f"newsbeam {command}: no such output directory {output}", file=sys.stderr)
        return 1
    return None


def command_ingest(args: argparse.Namespace, beam_args: list[str]) -> int:
    """``newsbeam ingest PATHS... --output DIR``."""
    from pipeline.archives import list_inputs
    from pipeline.execution import run_pipeline
    from pipeline.run_summary import format_summary
    from pipeline.sources import expand_inputs

    urls = [path for path in args.paths if URL_ARGUMENT.match(path) and not pathlib.Path(path).exists()]
    if urls:
        print(f"newsbeam: {urls[0]} is a URL: ingest reads local files, directories and globs only (give the "
              "path itself); http(s) feeds are fetched by `newsbeam run`, and file:, ftp: or data: URLs never are",
              file=sys.stderr)
        return 2
    files = expand_inputs(args.paths)
    if not files:
        print(f"newsbeam: no input files found in {' '.join(args.paths)}", file=sys.stderr)
        return 1
    options = run_options_from(args, "ingest", args.paths, beam_args)
    listing = list_inputs(files)  # archives (WARC/ARC, tar, zip) in chunks of their documents
    skipped = {"records_skipped": sum(listing.skipped.values()),
               "records_skipped_by_reason": dict(listing.skipped.most_common())}
    manifest = run_pipeline(options, listing.inputs, skipped)
    print(format_summary(manifest))
    return exit_code(manifest, options.fail_on_error)


def _commands() -> dict[str, Callable[[argparse.Namespace, list[str]], int]]:
    from pipeline.backfill import command_backfill
    from pipeline.compaction import command_compact
    from pipeline.inspection import command_inspect
    from pipeline.prune import command_prune
    from pipeline.repair import command_repair
    from pipeline.scheduled_run import command_feeds, command_run
    from pipeline.streaming import command_stream

    return {"ingest": command_ingest, "run": command_run, "feeds": command_feeds, "stream": command_stream,
            "backfill": command_backfill, "compact": command_compact, "inspect": command_inspect,
            "prune": command_prune, "repair": command_repair}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsbeam`` console script."""
    logging.basicConfig(level=logging.ERROR)  # silences Beam's import-time warnings about cloud extras
    import apache_beam  # noqa: F401 - imported first: it installs a root log handler we then replace

    parser = build_parser()
    args, beam_args = parser.parse_known_args(argv)
    if (misspelt := misspelt_option(parser, args.command, beam_args)) is not None:
        print(f"newsbeam {args.command}: {misspelt}", file=sys.stderr)
        return 2

    logging.basicConfig(level=log_level(args), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    for noisy in ("distributed", "apache_beam", "trafilatura", "httpx"):  # httpx: a line per request at INFO
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    from pipeline.damaged_files import damaged_file_message, not_beam_report_of_damage
    from pipeline.dataset_layout import LayoutMismatchError
    from pipeline.interrupts import stop_like_ctrl_c, stop_signal
    from pipeline.locking import OutputLockedError

    stop_like_ctrl_c()
    for handler in logging.getLogger().handlers:
        handler.addFilter(not_beam_report_of_damage)
        handler.addFilter(not_beam_report_of_disk_full)
    try:
        return _commands()[args.command](args, beam_args)
    except OutputLockedError as exc:
        print(f"newsbeam: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    except LayoutMismatchError as exc:
        print(f"newsbeam: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        return _stopped(stop_signal(exc) or signal.SIGINT)
    except Exception as exc:
        stopped_by = stop_signal(exc)
        if stopped_by is not None:
            return _stopped(stopped_by)
        output = getattr(args, "output", None) or "the output directory"
        if (damaged := damaged_file_message(exc)) is not None:
            print(f"newsbeam: {damaged}. The command stopped; that file was not changed and no row elsewhere was "
                  f"lost. Run `newsbeam repair {output}` to set damaged files aside and re-index what is left, "
                  "then the same command again.", file=sys.stderr)
            return 65  # EX_DATAERR
        if not is_disk_full(exc):
            raise
        print(f"newsbeam: no space left on the device of {output}; the run stopped. Every file of the dataset "
              "is whole (written under a temporary name, then renamed) and no row that was there before is lost. "
              "Free some space and run the same command again to complete the run.", file=sys.stderr)
        return 74  # EX_IOERR


def version_line() -> str:
    """``newsbeam --version``: the package's version and the schema versions of the datasets it writes."""
    from pipeline.execution import pipeline_version
    from schemas.article import ARTICLE_SCHEMA_VERSION
    from schemas.error import ERROR_SCHEMA_VERSION

    return (f"newsbeam {pipeline_version()} (articles schema {ARTICLE_SCHEMA_VERSION}, "
            f"errors schema {ERROR_SCHEMA_VERSION})")


def log_level(args: argparse.Namespace) -> str:
    """The level asked for, else INFO for ``stream`` (a service: a line per window) and WARNING for the rest."""
    return (args.log_level or ("INFO" if args.command == "stream" else "WARNING")).upper()


def _stopped(signum: signal.Signals) -> int:
    """Say that the run was stopped and what that means for the dataset; the shell's exit code for it."""
    print(f"newsbeam: stopped by {signum.name}. Every file of the dataset is whole (written under a temporary "
          "name, then renamed) and no row that was there before is lost; run the same command again to complete "
          "the run.", file=sys.stderr)
    return 128 + signum


def is_disk_full(error: BaseException | None) -> bool:
    """True when ``error``, or an error that led to it, is ENOSPC or EDQUOT.

    Beam re-raises a worker's ``OSError`` as a ``RuntimeError`` that keeps only its text, so the text is
    checked too.
    """
    from pipeline.error_chain import error_chain

    for cause in error_chain(error):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if _says_disk_full(str(cause)):
            return True
    return False


def not_beam_report_of_disk_full(record: logging.LogRecord) -> bool:
    """A log filter: False for Beam's report of a worker's full-disk error (a traceback), which the command says
    in one line instead."""
    return not (record.name.startswith("apache_beam") and _says_disk_full(record.getMessage()))


def _says_disk_full(text: str) -> bool:
    """True when an error's text is that of ENOSPC (Beam re-raises a worker's error with only its text)."""
    return f"[Errno {errno.ENOSPC}]" in text or "No space left on device" in text


if __name__ == "__main__":
    sys.exit(main())
