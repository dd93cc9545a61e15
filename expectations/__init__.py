"""Quality checks of the warehouse as code: Great Expectations suites and the checkpoint.

Each concern has its module (``tables``, ``units``,
``plausibility``, ``performance``, ``parse_issues``, ``duplicates``) with a
``<concern>_frame(...)`` function that computes one row per thing to check (in pandas, from the
marts) and a ``build_<concern>_suite()`` returning the
ExpectationSuite that asserts on those rows. ``checkpoint.run_checks`` assembles them into one
Checkpoint and writes ``main.quality_findings`` (plus ``main.dbt_test_results``, see
``dbt_results``). Lists kept as data live in ``expectations/data/`` (standard economic
classification names); the sections and tables a disclosure must contain are the dbt seed
``required_parts`` (completeness is the dbt model ``quality_completeness``).
"""
