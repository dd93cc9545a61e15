"""What the commands take by default: a module of constants, so that the CLI reads them without
importing the pipeline (and what it imports: DuckDB, polars, the readers and extractors) or the
readers (``ingest.readers`` re-exports the bounds below, which its ``ReaderSettings`` defaults to):
``budgetwh ingest`` starts its parser workers as soon as it has read its options."""

DEFAULT_DB = "warehouse/budget.duckdb"
DEFAULT_CORPUS = "data/samples"

# The bounds per file (ingest.readers.ReaderSettings; the CLI's --max-* options)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_MEMBER_BYTES = 128 * 1024 * 1024
DEFAULT_MAX_XML_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_ZIP_RATIO = 200
DEFAULT_MAX_PARSE_SECONDS = 120.0
DEFAULT_MAX_PARSE_MIB = 1536
