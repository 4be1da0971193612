"""The plugin contract: what a target is, and what it is given besides the IR.

A target is a function of the IR (and the API model, through its context) to files. Built-in
targets live beside this module, one module each, and never import one another; what several
of them share lives below them (`schemagen.api`, `schemagen.client`, `schemagen.json_schema`,
`schemagen.sql`, `schemagen.render`). Third parties register a `Target` under the
`schemagen.targets` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

# The module of the generated `schemas` package that holds what every resource's models share
# (their base, the JSON-only field types): written by the pydantic target, read by openapi's.
SCHEMAS_SHARED_MODULE = "_shared"

if TYPE_CHECKING:
    import jinja2

    from schemagen import ir
    from schemagen.api import Api
    from schemagen.files import RenderedFile


class RenderContext(Protocol):
    """What a target is given besides the IR (`schemagen.render.RenderContext` provides it)."""

    templates: Path | None  # the project's template overrides
    schemas_label: str  # the schemas folder as the user names it, for headers
    outputs: dict[str, list[RenderedFile]]  # earlier targets' files (those in `requires`)
    cache_dir: Path | None  # where a target may keep results of slow, pure steps
    enabled: frozenset[str] | None  # the targets the project builds; None: every one

    @property
    def env(self) -> jinja2.Environment: ...

    def render(
        self, template: str, path: str, source: str | None = None, **values: object
    ) -> RenderedFile:
        """One template into one file, headed by the do-not-edit line."""
        ...

    def api_for(self, project: ir.Project) -> Api:
        """The API model of `project`, built once per build."""
        ...


@dataclass(frozen=True)
class Target:
    """A plugin: turns the IR into files."""

    name: str
    render: Callable[[ir.Project, RenderContext], list[RenderedFile]]
    description: str = ""
    requires: tuple[str, ...] = ()  # targets whose output this one reads
