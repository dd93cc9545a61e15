"""Corpus files whose stat is unchanged are not read again to learn their sha256, and any change
of the file (even one that keeps its size and puts its modification time back) is hashed anew."""

from __future__ import annotations

import hashlib
import os

from ingest.hashcache import HashCache
from ingest.pipeline import hash_file, plan_files
from ingest.readers import ReaderSettings


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_unchanged_file_is_taken_from_the_cache(tmp_path):
    f, store = tmp_path / "a.txt", tmp_path / "cache" / "hashes.json"
    f.write_bytes(b"2023 budget")
    first = HashCache(store)
    assert hash_file(str(f), ReaderSettings(), first) == (_sha(f), 11)
    first.save()
    again = HashCache(store)
    assert hash_file(str(f), ReaderSettings(), again)[0] == _sha(f)
    assert again.hits == 1


def test_a_change_that_keeps_size_and_mtime_is_hashed_again(tmp_path):
    f, store = tmp_path / "a.txt", tmp_path / "hashes.json"
    f.write_bytes(b"total 100.00")
    cache = HashCache(store)
    hash_file(str(f), ReaderSettings(), cache)
    cache.save()
    st = os.stat(f)
    f.write_bytes(b"total 900.00")               # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # the modification time put back
    again = HashCache(store)
    assert hash_file(str(f), ReaderSettings(), again)[0] == _sha(f)
    assert again.hits == 0


def test_a_broken_cache_file_is_ignored_and_rewritten(tmp_path):
    f, store = tmp_path / "a.txt", tmp_path / "hashes.json"
    f.write_bytes(b"x")
    store.write_text("{not json", encoding="utf-8")
    cache = HashCache(store)
    assert hash_file(str(f), ReaderSettings(), cache)[0] == _sha(f)
    cache.save()
    assert HashCache(store).get(str(f), os.stat(f)) == _sha(f)


def test_planning_keeps_only_files_still_there(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "hashes.json"
    corpus.mkdir()
    (corpus / "a.txt").write_text("甲", encoding="utf-8")
    (corpus / "b.txt").write_text("乙", encoding="utf-8")
    plan = plan_files(None, [str(corpus)], ReaderSettings(), HashCache(store))
    assert len(plan.todo) == 2
    (corpus / "b.txt").unlink()
    cache = HashCache(store)
    plan = plan_files(None, [str(corpus)], ReaderSettings(), cache)
    assert [p.document_id for p in plan.todo] == [_sha(corpus / "a.txt")] and cache.hits == 1
    assert len(HashCache(store)._old) == 1
