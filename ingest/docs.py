"""`budgetwh docs`: the dbt docs site (every mart and column described) and the Data Docs."""

from __future__ import annotations

import http.server
import shutil
import socketserver
import tempfile
from functools import partial
from pathlib import Path

from .errors import PipelineError

ROOT = Path(__file__).resolve().parents[1]
DATA_DOCS = ROOT / "docs" / "data_docs"


def build_docs(db_path: str, out_dir: str) -> Path:
    """Generate the dbt docs site into ``out_dir``/dbt from a copy of the warehouse (so the live
    file is never locked by dbt), and copy the Great Expectations Data Docs to ``out_dir``/data_docs.

    Raises:
        PipelineError: dbt docs generate failed.
    """
    from dbt.cli.main import dbtRunner

    from .transform import _environment, _release_duckdb, dbt_args

    out = Path(out_dir)
    site = out / "dbt"
    site.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="budgetwh_docs_") as tmp:
        copy = Path(tmp) / "budget.duckdb"
        shutil.copyfile(db_path, copy)
        # Its own target folder, so that a refresh's dbt build running meanwhile is not disturbed.
        target = Path(tmp) / "target"
        args = dbt_args("docs", quiet=True)
        args[args.index("--target-path") + 1] = str(target)
        with _environment(BUDGETWH_DB=str(copy), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1"):
            try:
                outcome = dbtRunner().invoke(args[:2] + ["generate"] + args[2:])
            finally:
                _release_duckdb()
        if not outcome.success:
            raise PipelineError(f"dbt docs generate failed: {outcome.exception or 'see dbt_project/logs'}")
        for name in ("index.html", "manifest.json", "catalog.json"):
            src = Path(target) / name
            if not src.exists():
                raise PipelineError(f"dbt docs generate wrote no {name} in {target}")
            shutil.copyfile(src, site / name)
    if DATA_DOCS.exists():
        shutil.copytree(DATA_DOCS, out / "data_docs", dirs_exist_ok=True)
    return site / "index.html"


def serve_docs(out_dir: str, port: int) -> None:  # pragma: no cover - interactive
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=out_dir)
    with socketserver.TCPServer(("127.0.0.1", port), handler) as httpd:
        print(f"serving {out_dir} on http://127.0.0.1:{port}/dbt/index.html (Ctrl-C to stop)")
        httpd.serve_forever()
