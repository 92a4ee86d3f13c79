"""Where the shared real-world corpora are (never copied into the repository; see README).

``$NEWSBEAM_CORPORA`` names the folder when it is set (a git worktree or a CI machine keeps it elsewhere);
otherwise it is ``../shared/corpora`` beside the repository. Tests that need it skip when it is absent.
"""

from __future__ import annotations

import os
import pathlib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPORA_ENV = "NEWSBEAM_CORPORA"


def corpora_dir() -> pathlib.Path:
    """The corpora folder: ``$NEWSBEAM_CORPORA``, else ``../shared/corpora`` beside the repository."""
    configured = os.environ.get(CORPORA_ENV)
    return pathlib.Path(configured) if configured else REPO_ROOT.parent / "shared" / "corpora"


def seed_article() -> pathlib.Path:
    """The real article the project was started from, kept beside the corpora folder."""
    return corpora_dir().parent / "seed-article.txt"
