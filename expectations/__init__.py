"""Great Expectations on the warehouse: the marts validated as data assets, and the checkpoint.

Every check on the documents is a dbt model (``dbt_project/models/marts/quality/``, one per
concern, each row a check instance; ``quality_findings`` collects the failures). What stays here:
:mod:`expectations.assets` (the expectations on the marts as data assets, one batch per model),
:mod:`expectations.checkpoint` (``run_checks``: validate the assets, build Data Docs, append the
failed expectations to main.quality_findings), :mod:`expectations.dbt_results` (the dbt build's
tests as main.dbt_test_results) and :mod:`expectations.table_docs` (comments on the tables the
checkpoint writes).
"""
