"""The unit every target produces and the writer consumes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The names schemagen reserves at the top of every output folder (no rendered file may use them).
MANIFEST_NAME = ".schemagen-manifest.json"
STAGING_NAME = ".schemagen-staging"  # present only while a build writes, or after it was killed


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One output file, relative to the output folder, with POSIX separators.

    `once` marks user-space files (custom action handlers): written when absent, never rewritten,
    never owned by the manifest.
    """

    path: str
    content: str
    once: bool = False

    @property
    def is_python(self) -> bool:
        return self.path.endswith(".py")


def builtin_templates() -> Path:
    """Templates ship inside the wheel as schemagen/templates; a source checkout keeps them at the top."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"
