"""The sha256 of corpus files whose stat has not changed since they were hashed.

A refresh knows a file by its sha256 and hashes the whole corpus each time to find what is new.
Like git's index, the file kept here lets it skip reading a file whose size, modification time,
change time (which no program can set back) and inode are what they were when it was last hashed:
at 2,000 files that is the difference between reading ~100 MB and reading 2,000 inodes. Any change
of one of the four hashes the file again, so a stale entry can cost a read, never a wrong hash.

The file is JSON in the warehouse's working folder (``<db-dir>/.budgetwh/<db-name>/hashes.json``,
:func:`ingest.warehouse.warehouse_dirs`); it is only a cache: lost, unreadable or from another
version, it is ignored and written anew.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FORMAT = 1


def stat_key(st: os.stat_result) -> list[int]:
    """What must be unchanged for a file's earlier hash to stand."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class HashCache:
    """Path -> (stat key, sha256) pairs read from ``path`` (None: a cache that keeps nothing)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._old: dict[str, tuple[list[int], str]] = {}
        self._new: dict[str, tuple[list[int], str]] = {}
        self.hits = 0
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT:
                self._old = {p: (list(k), str(d)) for p, (k, d) in data["files"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self._old = {}

    def get(self, path: str, st: os.stat_result) -> str | None:
        """The sha256 hashed earlier for ``path`` if its stat is unchanged; else None."""
        entry = self._old.get(path)
        if entry is not None and entry[0] == stat_key(st):
            self._new[path] = entry
            self.hits += 1
            return entry[1]
        return None

    def put(self, path: str, st: os.stat_result, digest: str) -> None:
        self._new[path] = (stat_key(st), digest)

    def save(self) -> None:
        """Write the entries of the files seen this time (the others are dropped), atomically.
        A cache that cannot be written is not an error: the next run hashes again."""
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"format": FORMAT, "files": self._new}, ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
