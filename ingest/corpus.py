"""The files under a corpus folder: each one taken, or skipped with a reason (never silently).

Walking a folder (sorted, recursively):
- names starting with ``README`` (any case) are the folder's documentation, names starting with
  ``.`` are hidden: skipped, and a hidden or README folder is not searched;
- a symbolic link is never followed, each is reported with its target: a link to a folder (links
  can loop or leave the corpus), one that points outside the corpus (the corpus is untrusted: a
  link must not make the warehouse read ``~/.ssh`` or ``/etc``), a broken one, and a link to a
  file inside the corpus: that file is read once, under its own name, where the walk takes it
  (not twice, and a hidden or README file does not become a disclosure through a link);
- a folder that cannot be listed, and anything that is not a regular file (a FIFO, a socket, a
  device: reading one could block forever), is skipped with the reason.
A file named explicitly is taken as named.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class CorpusListing:
    files: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # the folders walked


def name_to_skip_reason(name: str, is_dir: bool) -> str | None:
    """Why a file or folder of this name is not taken (None: it is)."""
    what = "folder" if is_dir else "file"
    if name.startswith("."):
        return f"hidden {what}" + (" (not searched)" if is_dir else "")
    if name.lower().startswith("readme"):
        return "folder documentation (README), not a disclosure" + (" (not searched)" if is_dir else "")
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _link_reason(path: str, root_real: str) -> str | None:
    """Why a symbolic link is not followed (None: a link to a regular file inside the corpus,
    whose reason depends on whether the walk takes its target: :func:`_inside_link_reason`)."""
    target = os.path.realpath(path)
    if not os.path.exists(target):
        return f"broken symbolic link (to {os.readlink(path)})"
    if os.path.isdir(target):
        return f"symbolic link to a folder ({target}), not followed"
    if not _inside(target, root_real):
        return f"symbolic link leaving the corpus (to {target}), not followed"
    return None


def _inside_link_reason(path: str, taken: set[str]) -> str:
    target = os.path.realpath(path)
    if target in taken:
        return f"symbolic link to {target} inside the corpus, not followed: that file is read under its own name"
    return f"symbolic link to {target} inside the corpus, not followed: that file itself is not taken"


def _kind_reason(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    for test, what in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return f"not a regular file ({what})"
    return "not a regular file"


def walk_folder(root: str, listing: CorpusListing) -> None:
    """Add the files under ``root`` to ``listing`` (see the module docstring)."""
    root_real = os.path.realpath(root)
    inside_links: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            listing.skipped.append(Skipped(folder, f"folder cannot be read ({exc.strerror})"))
            continue
        subfolders = []
        for entry in entries:
            path = os.path.join(folder, entry.name)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                listing.skipped.append(Skipped(path, f"cannot be examined ({exc.strerror})"))
                continue
            reason = name_to_skip_reason(entry.name, is_dir)
            if reason is None and is_link:
                reason = _link_reason(path, root_real)
                if reason is None:
                    inside_links.append(path)
                    continue
            if reason is None and not is_link and not is_dir:
                try:
                    reason = _kind_reason(entry.stat(follow_symlinks=False).st_mode)
                except OSError as exc:
                    reason = f"cannot be examined ({exc.strerror})"
            if reason is not None:
                listing.skipped.append(Skipped(path, reason))
            elif is_dir:
                subfolders.append(path)
            else:
                listing.files.append(path)
        stack.extend(reversed(subfolders))
    taken = {os.path.realpath(f) for f in listing.files}
    listing.skipped.extend(Skipped(link, _inside_link_reason(link, taken)) for link in inside_links)


def list_corpus(paths: Iterable[str]) -> CorpusListing:
    """Every file under ``paths`` (files named, and files under folders named, in path order),
    and what was skipped."""
    listing = CorpusListing()
    for p in paths:
        if Path(p).is_dir():
            root = str(Path(p))
            listing.roots.append(root)
            found = CorpusListing()
            walk_folder(root, found)
            listing.files.extend(sorted(found.files, key=lambda f: Path(f).parts))
            listing.skipped.extend(found.skipped)
        else:
            listing.files.append(str(Path(p)))
    return listing
