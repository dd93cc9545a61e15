"""Quality checks of the warehouse as code: Great Expectations suites and the checkpoint.

Each concern has its module (``identities``, ``units``, ``plausibility``, ``performance``,
``parse_issues``) with a ``<concern>_frame(...)`` function that computes one row per thing to
check (in pandas, from the marts) and a ``build_<concern>_suite()`` returning the
ExpectationSuite that asserts on those rows. ``checkpoint.run_checks`` assembles them into one
Checkpoint and writes ``main.quality_findings``.
"""
