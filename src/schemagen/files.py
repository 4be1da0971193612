"""The unit every target produces and the writer consumes."""

from __future__ import annotations

from dataclasses import dataclass


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
