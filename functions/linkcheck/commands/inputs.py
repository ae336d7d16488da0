"""What ``linkcheck check`` was given: URLs, local files, directories and globs.

An argument with ``://`` is a URL; an existing path is a file or a directory (searched
recursively for documents, hidden directories and ``node_modules`` skipped); an argument with
``*``, ``?`` or ``[`` is a glob (``**`` spans directories; quote it so the shell leaves it
alone). A glob that matches nothing, or a path that does not exist, is a usage error.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from .usage import UsageError

if TYPE_CHECKING:
    from ..extract import FoundLink

# The documents a directory is searched for (a file named explicitly is read whatever its name).
DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm", ".xhtml", ".txt"})
SKIPPED_DIRECTORIES = frozenset({"node_modules"})  # and every directory whose name starts "."


@dataclass(frozen=True, slots=True)
class LocalDocument:
    path: Path  # as found (relative when given relative): shown to the user
    # What --base stands for: the directory given, a glob's leading directories, a file's
    # own directory. The document's URL is --base joined with its path under ``root``.
    root: Path


@dataclass(slots=True)
class Inputs:
    urls: list[str] = field(default_factory=list)
    documents: list[LocalDocument] = field(default_factory=list)


def classify(arguments: Sequence[str]) -> Inputs:
    inputs = Inputs()
    seen: set[Path] = set()
    for argument in arguments:
        if not argument.strip():
            continue
        if "://" in argument:
            inputs.urls.append(argument)
            continue
        for document in _documents(argument):
            resolved = document.path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                inputs.documents.append(document)
    return inputs


def _documents(argument: str) -> Iterator[LocalDocument]:
    path = Path(argument)
    if path.is_dir():
        yield from (LocalDocument(found, path) for found in walk(path))
    elif path.exists():
        yield LocalDocument(path, path.parent)
    elif glob.has_magic(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        if not matches:
            raise UsageError(f"{argument}: no file matches this pattern")
        root = _fixed_part(argument)
        for match in matches:
            found = Path(match)
            if found.is_dir():
                yield from (LocalDocument(inner, root) for inner in walk(found))
            elif not _hidden(found):
                yield LocalDocument(found, root)
    else:
        raise UsageError(
            f"{argument}: no such file or directory (a URL needs its scheme: https://{argument})"
        )


def _fixed_part(pattern: str) -> Path:
    """The directory a glob starts from: its leading parts without wildcards."""
    fixed: list[str] = []
    for part in Path(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def walk(directory: Path) -> Iterator[Path]:
    """The documents under ``directory``, in a stable order, skipping hidden directories."""
    for current, directories, files in os.walk(directory):
        directories[:] = sorted(d for d in directories if not _skipped(d))
        for name in sorted(files):
            if Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
                yield Path(current) / name


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRECTORIES


def _hidden(path: Path) -> bool:
    return any(_skipped(part) for part in path.parts[:-1] if part not in (".", ".."))


def read_links(document: LocalDocument, *, base: str | None, media: bool) -> list[FoundLink]:
    """The links of one local document; relative ones resolve against ``base`` (joined with
    the document's path under its root) or, without ``base``, on the file system."""
    from ..extract import DocumentKind, detect_kind, extract

    try:
        body = document.path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {document.path}: {exc.strerror or exc}") from None
    kind = detect_kind(path=str(document.path), body=body) or DocumentKind.TEXT
    if base is None:
        base_url = document.path.resolve().as_uri()
    else:
        relative = os.path.relpath(document.path, document.root).replace(os.sep, "/")
        base_url = urljoin(base if base.endswith("/") else base + "/", relative)
    found = extract(body, kind, source=str(document.path), base_url=base_url, media=media)
    return list(found.links)
