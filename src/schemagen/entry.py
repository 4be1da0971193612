"""The console script. A no-op `schemagen check` or `build` is answered here, before the CLI
framework (typer, which imports Pydantic) loads: it then costs a few hashes, not a start-up."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args in (["check"], ["build"]):
        from schemagen.fingerprint import quick_answer

        answer = quick_answer(args[0])
        if answer is not None:
            sys.stdout.write(answer + "\n")
            sys.exit(0)
    from schemagen.cli import main as cli_main

    cli_main()
