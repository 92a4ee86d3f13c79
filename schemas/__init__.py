"""Versioned Arrow schemas of every dataset newsbeam writes."""

from schemas.article import ARTICLE_SCHEMA, ARTICLE_SCHEMA_VERSION
from schemas.error import ERROR_SCHEMA, ERROR_SCHEMA_VERSION

__all__ = ["ARTICLE_SCHEMA", "ARTICLE_SCHEMA_VERSION", "ERROR_SCHEMA", "ERROR_SCHEMA_VERSION"]
