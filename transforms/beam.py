"""Thin Beam wrappers: each pure transform becomes one named step of the pipeline.

Every step takes the one stream of records (articles and error records together) and passes error
records through untouched, so the pipeline stays a single chain; that is the shape the Dask runner runs
without losing data (tagged outputs and side branches lose data there, see DESIGN.md). An exception that
escapes a pure transform is a bug, but one item must not kill a run of millions: it becomes an error
record of type ``internal_error`` with the exception, and is counted.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.records import make_error
from transforms.settings import TransformSettings

ArticleFunction = Callable[[dict[str, Any], TransformSettings], dict[str, Any]]
METRICS_NAMESPACE = "newsbeam"


class ArticleStage(beam.DoFn):
    """Apply ``function(article, settings)`` to each article; errors pass through."""

    def __init__(self, stage: str, function: ArticleFunction, settings: TransformSettings) -> None:
        self.stage, self.function, self.settings = stage, function, settings

    def setup(self) -> None:
        self.errors = Metrics.counter(METRICS_NAMESPACE, f"errors.{self.stage}")

    def process(self, record: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if record.get("kind") != "article":
            yield record
            return
        try:
            yield self.function(record, self.settings)
        except Exception as exc:  # noqa: BLE001 - see module docstring
            self.errors.inc()
            yield make_error(self.stage, "internal_error", f"{type(exc).__name__}: {exc}", source=record)


class DocumentStage(beam.DoFn):
    """Apply ``function(record)`` returning several records (reading, parsing); errors pass through."""

    def __init__(self, stage: str, function: Callable[[dict[str, Any]], Iterable[dict[str, Any]]],
                 counted_kind: str = "article") -> None:
        self.stage, self.function, self.counted_kind = stage, function, counted_kind

    def setup(self) -> None:
        self.errors = Metrics.counter(METRICS_NAMESPACE, f"errors.{self.stage}")
        self.outputs = Metrics.counter(METRICS_NAMESPACE, f"{self.stage}.outputs")

    def process(self, record: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if record.get("kind") == "error":
            yield record
            return
        try:
            for result in self.function(record):  # may be a generator: archives are read lazily
                self._count(result)
                yield result
        except Exception as exc:  # noqa: BLE001 - see module docstring
            error = make_error(self.stage, "internal_error", f"{type(exc).__name__}: {exc}", source=record)
            self._count(error)
            yield error

    def _count(self, result: dict[str, Any]) -> None:
        (self.errors if result.get("kind") == "error" else self.outputs).inc()


@functools.lru_cache(maxsize=4)
def shared_matcher(settings: TransformSettings) -> Any:
    """One entity matcher per worker process, whatever the number of DoFn instances.

    The gazetteer is read for the matcher alone and freed once its aliases are packed: the matcher adds
    about 30 MB to the process, where gazetteer and matcher together held 87 MB (the packaged gazetteer,
    read from its cache file).
    """
    from transforms.entities import EntityMatcher
    from transforms.gazetteer_cache import load_gazetteer_unkept

    return EntityMatcher.from_loader(functools.partial(load_gazetteer_unkept, settings))


class EntityStage(beam.DoFn):
    """Annotate entities; the gazetteer automaton is built once per worker process, on its first article
    (not in ``setup``: a run with no article, such as a cron run whose feeds all answered 304, or a worker
    that gets none, does not pay the 0.7 s)."""

    def __init__(self, settings: TransformSettings) -> None:
        self.settings = settings

    def setup(self) -> None:
        from transforms.entities import annotate_entities

        self.matcher: Any = None
        self.annotate = annotate_entities
        self.errors = Metrics.counter(METRICS_NAMESPACE, "errors.entities")

    def process(self, record: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if record.get("kind") != "article":
            yield record
            return
        if self.matcher is None:
            self.matcher = shared_matcher(self.settings)
        try:
            yield self.annotate(record, self.matcher)
        except Exception as exc:  # noqa: BLE001 - see module docstring
            self.errors.inc()
            yield make_error("entities", "internal_error", f"{type(exc).__name__}: {exc}", source=record)


class NormalizeArticles(beam.PTransform):
    """clean -> full text -> normalize text -> language -> time -> identity -> entities, as one composite step."""

    def __init__(self, settings: TransformSettings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        from transforms.full_text import attach_full_text
        from transforms.html_cleaning import clean_article
        from transforms.identity import identify_article
        from transforms.language import annotate_language
        from transforms.text import normalize_article_text
        from transforms.timestamps import normalize_article_time

        settings = self.settings
        return (
            records
            | "Clean HTML" >> beam.ParDo(ArticleStage("clean", clean_article, settings))
            | "Attach full text" >> beam.ParDo(ArticleStage("full_text", attach_full_text, settings))
            | "Normalize text" >> beam.ParDo(ArticleStage("normalize_text", normalize_article_text, settings))
            | "Detect language" >> beam.ParDo(ArticleStage("language", annotate_language, settings))
            | "Normalize time" >> beam.ParDo(ArticleStage("normalize_time", normalize_article_time, settings))
            | "Identify" >> beam.ParDo(ArticleStage("identify", identify_article, settings))
            | "Extract entities" >> beam.ParDo(EntityStage(settings))
        )
