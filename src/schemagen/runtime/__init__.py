"""The runtime of a generated backend: what every project's routes and tests share.

Each module is ordinary source, linted, type-checked (`mypy --strict`) and unit-tested here
(`tests/runtime/`). `schemagen build` copies the modules a project's features use, as they are,
into `backend/<package>/runtime/`; the generated code hands them what is the project's own (its
models, constraint names, the caller's dependency). Modules import only each other (relatively)
and third-party libraries, never the generated package.
"""

__version__ = "1.0.0"
