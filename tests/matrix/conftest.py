"""Prints what the feature matrix ran, so CI logs carry the guard's counts."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    import test_matrix

    if not test_matrix.PROJECTS_RUN:
        return
    per_dialect = ", ".join(
        f"{dialect}: {test_matrix.PROJECTS_RUN[dialect]} projects, "
        f"{test_matrix.TESTS_RUN[dialect]} generated tests passed"
        for dialect in sorted(test_matrix.PROJECTS_RUN)
    )
    terminalreporter.write_line(
        f"feature matrix: {len(test_matrix.PROJECTS)} projects covering every pair of "
        f"{len(test_matrix.FACTORS)} features; {per_dialect}"
    )
