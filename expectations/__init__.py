"""Quality checks of the warehouse as code: Great Expectations suites and the checkpoint.

Each concern has its module (``identities``, ``narrative``, ``tables``, ``units``,
``plausibility``, ``performance``, ``completeness``, ``parse_issues``, ``duplicates``) with a
``<concern>_frame(...)`` function that computes one row per thing to check (in pandas, from the
marts) and a ``build_<concern>_suite()`` returning the
ExpectationSuite that asserts on those rows. ``checkpoint.run_checks`` assembles them into one
Checkpoint and writes ``main.quality_findings`` (plus ``main.disclosure_completeness`` and
``main.dbt_test_results``, see ``completeness`` and ``dbt_results``). Lists kept as data live in
``expectations/data/`` (required sections and tables; standard economic classification names).
"""
