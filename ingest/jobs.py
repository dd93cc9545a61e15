"""The job the parent hands its parser workers, named without importing the parser.

A worker job is pickled by reference (module and name): the parent had to import
``ingest.parsing`` (the readers' extractors, the contract: ~0.05 s of its CPU before the first file
is sent) only to name :func:`ingest.parsing.parse_file`. It names this one instead; the worker,
which imported the parser before it said it was ready (``workers.PRELOAD``), runs the real one.
"""

from __future__ import annotations


def parse_file(args):
    """:func:`ingest.parsing.parse_file`, imported where it runs (in the worker)."""
    from .parsing import parse_file as run

    return run(args)
