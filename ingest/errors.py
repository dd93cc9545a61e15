"""A small exception hierarchy. Messages name the file, and the page/row/field where known.

Only the CLI turns these into exit codes (1 pipeline failure, 2 usage).
"""

from __future__ import annotations


class BudgetWarehouseError(Exception):
    """Base class of every error the warehouse raises on purpose."""


class ReadError(BudgetWarehouseError):
    """A file could not be read as a disclosure. Carries the path and, where known, the page."""

    def __init__(self, path: str, reason: str, *, page: int | None = None, code: str = "unreadable"):
        self.path = path
        self.reason = reason
        self.page = page
        self.code = code
        where = f"{path}" + (f", page {page}" if page else "")
        super().__init__(f"{where}: {reason}")


class NotADisclosureError(ReadError):
    """The file was readable but is not a budget or final-accounts disclosure."""

    def __init__(self, path: str, reason: str):
        super().__init__(path, reason, code="not_a_disclosure")


class AmountError(BudgetWarehouseError):
    """A printed figure could not be parsed as an amount."""

    def __init__(self, text: str, reason: str, *, path: str | None = None, page: int | None = None,
                 field: str | None = None):
        self.text = text
        parts = [p for p in (path, f"page {page}" if page else None, f"field {field}" if field else None) if p]
        prefix = (", ".join(parts) + ": ") if parts else ""
        super().__init__(f"{prefix}cannot read {text!r} as an amount: {reason}")


class PipelineError(BudgetWarehouseError):
    """A step of the pipeline (dbt build, checks, swap) failed: the refresh is abandoned."""


class WarehouseBusyError(BudgetWarehouseError):
    """Another refresh holds the warehouse lock."""


class WarehouseHeldError(PipelineError):
    """Another program holds the warehouse file open for writing (named where the OS can tell)."""
