"""Where the commands look by default: a module of constants, so that the CLI reads them without
importing the pipeline (and what it imports: DuckDB, polars, the readers and extractors)."""

DEFAULT_DB = "warehouse/budget.duckdb"
DEFAULT_CORPUS = "data/samples"
