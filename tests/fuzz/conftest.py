"""Prints the fuzzing guard's counts at the end of every run that collected it."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    module = sys.modules.get("test_fuzz_language")
    if module is None or not module.TALLY.projects:
        return
    terminalreporter.section("fuzzing the schema language")
    for line in module.summary():
        terminalreporter.write_line(line)
