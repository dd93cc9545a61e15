"""`budgetwh docs`: the dbt docs site (every mart and column described) and the Data Docs of the
warehouse's last checkpoint run (from its working folder, ``<db-dir>/.budgetwh/<db-name>/data_docs``)."""

from __future__ import annotations

import http.server
import shutil
import socketserver
import tempfile
from functools import partial
from pathlib import Path

from .errors import PipelineError


def build_docs(db_path: str, out_dir: str) -> Path:
    """Generate the dbt docs site into ``out_dir``/dbt from a copy of the warehouse (so the live
    file is never locked by dbt), and copy the Great Expectations Data Docs to ``out_dir``/data_docs.

    Raises:
        PipelineError: dbt docs generate failed.
    """
    from dbt.cli.main import dbtRunner

    from .transform import _environment, _release_duckdb, dbt_args
    from .warehouse import WarehouseDirs, warehouse_dirs

    out = Path(out_dir)
    site = out / "dbt"
    site.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="budgetwh_docs_") as tmp:
        copy = Path(tmp) / "budget.duckdb"
        shutil.copyfile(db_path, copy)
        # Its own target folder, so that a refresh's dbt build running meanwhile is not disturbed.
        target = Path(tmp) / "dbt-target"
        args = dbt_args("docs", WarehouseDirs(Path(tmp)), quiet=True)
        with _environment(BUDGETWH_DB=str(copy), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1"):
            try:
                outcome = dbtRunner().invoke(args[:2] + ["generate"] + args[2:])
            finally:
                _release_duckdb()
        if not outcome.success:
            raise PipelineError(f"dbt docs generate failed: {outcome.exception or 'see its log in ' + tmp}")
        for name in ("index.html", "manifest.json", "catalog.json"):
            src = Path(target) / name
            if not src.exists():
                raise PipelineError(f"dbt docs generate wrote no {name} in {target}")
            shutil.copyfile(src, site / name)
    data_docs = warehouse_dirs(db_path).data_docs
    if data_docs.exists():
        shutil.copytree(data_docs, out / "data_docs", dirs_exist_ok=True)
    return site / "index.html"


def serve_docs(out_dir: str, port: int) -> None:  # pragma: no cover - interactive
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=out_dir)
    with socketserver.TCPServer(("127.0.0.1", port), handler) as httpd:
        print(f"serving {out_dir} on http://127.0.0.1:{port}/dbt/index.html (Ctrl-C to stop)")
        httpd.serve_forever()
