"""The JSON Schemas of ``schemas/``: loading, one offline registry, cached validators.

Shapes are named by their path under ``schemas/`` without ``.json``
(``notifications/participants-updated``). ``$ref`` between schemas are relative and resolve
from a :class:`referencing.Registry` preloaded with every file, so nothing is ever fetched;
the ``$id`` base (``https://gws-conformance.invalid/``) uses a TLD that cannot resolve.
Normalized samples of the documentation live under ``schemas/samples/`` and are not shapes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conformance.errors import UsageError

_PACKAGE = Path(__file__).resolve().parents[1]
# Installed from a wheel the schemas sit inside the package; in a checkout, at the top level.
SCHEMA_ROOT: Path = next(
    (p for p in (_PACKAGE / "schemas", _PACKAGE.parent / "schemas") if p.is_dir()), _PACKAGE / "schemas"
)
SAMPLES = "samples"


class UnknownShape(UsageError):
    """A shape name that is not a file under schemas/ (a usage error: exit 2)."""


@dataclass(frozen=True, order=True)
class Violation:
    path: str  # JSON path of the failing value, e.g. "$.smssession.participants[0].type"
    keyword: str  # the failing schema keyword, e.g. "required", "enum", "type"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} ({self.keyword})"


@cache
def shape_names() -> tuple[str, ...]:
    """Every shape, read from disk once: schemas do not change during a run, and a directory walk
    per lookup cost a tenth of a run."""
    return tuple(
        sorted(
            p.relative_to(SCHEMA_ROOT).with_suffix("").as_posix()
            for p in SCHEMA_ROOT.rglob("*.json")
            if p.relative_to(SCHEMA_ROOT).parts[0] != SAMPLES
        )
    )


def load_schema(shape: str) -> dict[str, Any]:
    if shape not in shape_names():
        known = ", ".join(shape_names())
        raise UnknownShape(f"unknown shape {shape!r}; known shapes: {known}")
    return _load(shape)


@cache
def _load(shape: str) -> dict[str, Any]:
    return json.loads((SCHEMA_ROOT / f"{shape}.json").read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    """Every schema, under its ``$id``: built once."""
    resources = [(schema["$id"], Resource.from_contents(schema)) for schema in map(_load, shape_names())]
    return Registry().with_resources(resources)


@cache
def _validator(shape: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(shape), registry=registry())


def validate(shape: str, instance: object) -> list[Violation]:
    """Every way ``instance`` breaks the shape; empty when it conforms."""
    return sorted(
        Violation(error.json_path, str(error.validator), error.message)
        for error in _validator(shape).iter_errors(instance)
    )


def load_sample(name: str) -> Any:
    """A normalized documentation sample, e.g. ``consult/notification-error``."""
    return json.loads((SCHEMA_ROOT / SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
