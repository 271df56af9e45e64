"""nbgrader's cell-metadata check with its JSON schema compiled once, not once per cell.

nbgrader's ``CheckCellMetadata`` builds a validator for every notebook and calls
``jsonschema.validate`` for every cell, which checks the schema itself each time: most of
an autograde pass on a small notebook. These classes run the same checks (schema version,
the schema, nbgrader's own rules, unique grade ids) with one compiled validator.
"""

from __future__ import annotations

import functools
import json
import traceback

import jsonschema
from nbformat import NotebookNode
from nbgrader.nbgraderformat import (
    MetadataValidator,
    SchemaTooNewError,
    SchemaTooOldError,
    ValidationError,
)
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata

MAX_REMEMBERED = 4096


class _CompiledSchema(BaseMetadataValidator):
    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {version} (expected {self.schema_version})",
                version,
                self.schema_version,
            )
        if version > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {version} (expected {self.schema_version})",
                version,
                self.schema_version,
            )
        error = jsonschema.exceptions.best_match(
            self.compiled.iter_errors(cell.metadata["nbgrader"])
        )
        if error is not None:
            raise error


class CompiledMetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's current metadata validator; the schema is checked and compiled once, and a
    cell whose type and nbgrader metadata were found valid before is not checked again (the
    cells of one release repeat in every submission)."""

    def __init__(self) -> None:
        super().__init__()
        kind = jsonschema.validators.validator_for(self.schema)
        kind.check_schema(self.schema)
        self.compiled = kind(self.schema)
        self.valid: dict[str, None] = {}

    def validate_cell(self, cell: NotebookNode) -> None:
        meta = cell.metadata.get("nbgrader")
        key = json.dumps([cell.cell_type, meta], sort_keys=True, default=str) if meta else ""
        if not key or key in self.valid:
            return
        super().validate_cell(cell)
        if len(self.valid) >= MAX_REMEMBERED:
            self.valid.pop(next(iter(self.valid)))
        self.valid[key] = None


@functools.cache
def metadata_validator() -> CompiledMetadataValidator:
    return CompiledMetadataValidator()


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's ``CheckCellMetadata`` step, with the compiled validator."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        try:
            metadata_validator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message) from None
        return nb, resources
