"""How the migrations stand against the schemas (kept light: the fast no-op path prints it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Status:
    """How the migrations stand against the schemas."""

    started: bool  # snapshot.json exists: the project has migrations
    pending: list[str] = field(default_factory=list)  # steps no revision captures
    problems: list[str] = field(default_factory=list)  # history and snapshot out of step

    @property
    def ok(self) -> bool:
        return not self.pending and not self.problems
