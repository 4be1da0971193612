"""The `schemagen` command line. Heavy imports happen inside commands so `--help` stays fast."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from schemagen import __version__

if TYPE_CHECKING:
    from schemagen.build import Compiled
    from schemagen.config.project import ProjectConfig
    from schemagen.diagnostics import Diagnostic
    from schemagen.fingerprint import LastBuild
    from schemagen.load import ParsedFiles
    from schemagen.migrations.status import Status

app = typer.Typer(
    name="schemagen",
    help="From one folder of resource schemas to a complete, runnable project.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
new_app = typer.Typer(help="Scaffold new things.", no_args_is_help=True)
app.add_typer(new_app, name="new")
db_app = typer.Typer(
    help="Apply the migrations to the database the generated app uses (Alembic).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

ProjectDir = Annotated[
    Path,
    typer.Option(
        "--project",
        "-C",
        metavar="DIR",
        help="Project folder (default: the nearest one with schemagen.toml).",
        show_default=False,
    ),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Machine-readable output for CI annotations.")
]


def _project_of(ctx: typer.Context) -> ProjectConfig | None:
    """The project a command line being completed points at (-C, else the nearest one)."""
    from schemagen.config.project import load_config

    try:
        return load_config(ctx.params.get("project") or Path("."))
    except Exception:  # noqa: BLE001 - completing must never print a traceback into the shell
        return None


def _complete_targets(incomplete: str) -> list[str]:
    from schemagen.registry import available_targets

    return [name for name in sorted(available_targets()) if name.startswith(incomplete)]


def _complete_resources(ctx: typer.Context, incomplete: str) -> list[str]:
    """The `resource:` names of the project's schema files (read, not validated: fast)."""
    from schemagen.config.paths import find_schema_files
    from schemagen.load import LoadError, load_file

    config = _project_of(ctx)
    if config is None:
        return []
    names = set()
    for path in find_schema_files(config.schemas_dir):
        try:
            data = load_file(path).data
        except LoadError:
            continue
        if isinstance(data, dict) and isinstance(data.get("resource"), str):
            names.add(data["resource"])
    return sorted(name for name in names if name.startswith(incomplete))


def _complete_revisions(ctx: typer.Context, incomplete: str) -> list[str]:
    """The migration files' numbers (`0002`, the revision ids), then base and head."""
    config = _project_of(ctx)
    if config is None:
        return []
    versions = config.output_dir / "migrations" / "versions"
    numbers = sorted(
        path.name.split("_", 1)[0] for path in versions.glob("[0-9]*_*.py") if path.is_file()
    )
    return [r for r in [*numbers, "base", "head"] if r.startswith(incomplete)]


class Format(str, Enum):
    yaml = "yaml"
    toml = "toml"


class ErdFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _error(message: str) -> None:
    _console(stderr=True).print(f"[bold red]error:[/] {_escape(message)}")


def _fail(message: str, code: int = 1) -> NoReturn:
    _error(message)
    raise typer.Exit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    console = _console(stderr=True)
    for d in diagnostics:
        colour = "red" if d.level == "error" else "yellow"
        key = f" [bold]{_escape(d.key_path)}[/]:" if d.path else ""
        console.print(f"[{colour}]{d.level}[/] {_escape(d.location())}:{key} {_escape(d.message)}")
    errors = sum(d.level == "error" for d in diagnostics)
    if errors:
        console.print(f"[red]{errors} error(s)[/]; nothing was written.")


def _compile(project: Path, as_json: bool = False, parsed: ParsedFiles | None = None) -> Compiled:
    from schemagen.build import compile_project
    from schemagen.diagnostics import SchemaError

    try:
        compiled = compile_project(project, parsed)
    except SchemaError as exc:
        if as_json:
            _emit_json(
                {"ok": False, "errors": [d.as_json() for d in exc.diagnostics], "warnings": []}
            )
        else:
            _print_diagnostics(exc.diagnostics)
        raise typer.Exit(1) from None
    if compiled.warnings and not as_json:
        _print_diagnostics(compiled.warnings)
    return compiled


def _emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"schemagen {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """From one folder of resource schemas to a complete, runnable project."""


@app.command()
def init(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Where to create the project.", show_default=False),
    ] = Path("."),
) -> None:
    """Start a new project: schemagen.toml, schemas/ with one example, a README, and what git,
    pre-commit, editors and CI need (.gitignore, .pre-commit-config.yaml, .vscode/settings.json,
    .github/workflows/schemagen.yml).

    Example: schemagen init my-api
    """
    from schemagen.scaffold import init_project

    created = init_project(directory)
    console = _console()
    for path in created:
        console.print(f"[green]created[/] {_escape(str(path))}")
    console.print(
        "Next: edit the schema, run [bold]schemagen build[/] (or [bold]schemagen watch[/]), then"
        " [bold]git init[/] and [bold]pre-commit install[/]."
    )


@new_app.command("resource")
def new_resource(
    name: Annotated[str, typer.Argument(help="Singular snake_case name, e.g. invoice_line.")],
    fmt: Annotated[Format, typer.Option("--format", help="File format.")] = Format.yaml,
    fields: Annotated[
        str,
        typer.Option(
            "--fields",
            metavar="FIELDS",
            help='Comma-separated fields: "title:string(200) required, due:date".',
        ),
    ] = "",
    project: ProjectDir = Path("."),
) -> None:
    """Scaffold one resource schema file.

    Example: schemagen new resource invoice --fields "number:string(20) required, due:date"
    """
    from schemagen.config.project import load_config
    from schemagen.scaffold import new_resource_file

    config = load_config(project)
    path = new_resource_file(config, name, fmt.value, fields)
    _console().print(f"[green]created[/] {_escape(config.relative(path))}")


@app.command("validate")
def validate_command(project: ProjectDir = Path("."), as_json: JsonFlag = False) -> None:
    """Check every schema and print every error.

    Example: schemagen validate --json
    """
    compiled = _compile(project, as_json)
    if as_json:
        _emit_json({"ok": True, "errors": [], "warnings": [w.as_json() for w in compiled.warnings]})
        return
    count = len(compiled.project.resources)
    _console().print(f"[green]ok[/]: {count} resource(s) valid")


@app.command()
def build(
    project: ProjectDir = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite generated files that were edited by hand.")
    ] = False,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="TARGET",
            help="Build only this target (repeatable).",
            autocompletion=_complete_targets,
        ),
    ] = None,
) -> None:
    """Render every target into the output folder, writing only what changed.

    Example: schemagen build -t sqlalchemy -t alembic
    """
    full = not force and not target
    if full and (last := _unchanged(project)) is not None:
        _report_last_build(last)
        typer.echo(f"{_relative_output(project)}/: everything up to date")
        if (
            last.migrations.get("pending")
            or last.migrations.get("problems")
            or not last.migrations.get("started")
        ):
            from schemagen.migrations.status import Status

            _warn_pending_migration(Status(**last.migrations), _builds_migrations(last))
        return

    from schemagen.write import output_lock

    compiled = _compile(project)
    # Held from recovery to the last write: another schemagen waits instead of interleaving.
    with output_lock(compiled.config.output_dir):
        code = _build(compiled, force=force, target=target, full=full)
    if code:
        raise typer.Exit(code)


@app.command()
def watch(
    project: ProjectDir = Path("."),
    quiet_ms: Annotated[
        int,
        typer.Option(
            "--quiet-ms",
            min=10,
            help="Rebuild once the inputs have been quiet this long (milliseconds).",
        ),
    ] = 150,
) -> None:
    """Build, then rebuild on every change to the schemas, templates or configuration. Ctrl-C stops."""
    from schemagen.config.paths import find_project
    from schemagen.load import ParsedFiles
    from schemagen.watch import input_changes

    root = find_project(project).parent  # no project: the usual error, before watching anything
    console = _console()
    parsed = ParsedFiles()  # what stays warm between builds, besides the imports and Jinja's cache
    try:
        changes = input_changes(project, quiet_ms)
        if next(changes, None) is None:  # Ctrl-C before the watcher was in place
            raise KeyboardInterrupt
        _rebuild(project, [], parsed)
        console.print("[dim]watching for changes (Ctrl-C stops)[/]")
        for changed in changes:
            if console.is_terminal:  # errors in place: each report replaces the last one
                console.clear()
            names = ", ".join(_escape(_shown(path, root)) for path in changed)
            console.print(f"[dim]changed:[/] {names}")
            _rebuild(project, changed, parsed)
    except KeyboardInterrupt:
        pass  # Ctrl-C while rebuilding: the writer's own recovery finishes or undoes its write
    console.print("[dim]stopped watching[/]")


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _rebuild(project: Path, changed: list[Path], parsed: ParsedFiles) -> None:
    """One build as `schemagen build` does it, reported with its time; a failure (invalid schemas,
    a conflict, a bad configuration) is reported and the watch goes on."""
    import time

    from schemagen.diagnostics import SchemaError, UsageError
    from schemagen.write import WriteError, output_lock

    started = time.perf_counter()
    code = 1
    try:
        compiled = _compile(project, parsed=parsed)
        with output_lock(compiled.config.output_dir):
            code = _build(compiled, force=False, target=None, full=True)
    except typer.Exit as exc:  # already reported
        code = exc.exit_code or 0
    except SchemaError as exc:  # the configuration's, raised before _compile can report it
        _print_diagnostics(exc.diagnostics)
    except (UsageError, WriteError) as exc:
        _error(str(exc))
    except Exception as exc:  # a broken template override must not end the watch
        if os.environ.get("SCHEMAGEN_DEBUG"):
            raise
        _report_internal_error(exc)
    seconds = time.perf_counter() - started
    if code == 0:
        _console().print(f"[green]{'rebuilt' if changed else 'built'}[/] in {seconds:.2f} s")
    else:
        _console(stderr=True).print(
            f"[red]{'rebuild' if changed else 'build'} failed[/] after {seconds:.2f} s;"
            " nothing was written. Fix it and save again."
        )


def _build(compiled: Compiled, *, force: bool, target: list[str] | None, full: bool) -> int:
    from schemagen import fingerprint
    from schemagen.build import plan_build
    from schemagen.migrations.migrate import migration_status
    from schemagen.write import apply

    _recover(compiled.config)
    inputs = fingerprint.fingerprint(compiled.config) if full else None
    result = plan_build(compiled, force=force, targets=target)
    console = _console(stderr=True)
    for conflict in result.conflicts:
        if conflict.forced:  # the conflict's message says the build stops, which --force overrides
            verb = "deleting" if conflict.reason == "edited_stale" else "overwriting"
            console.print(
                f"[yellow]{verb}[/] {_escape(conflict.path)}, edited by hand: --force discards the edit"
            )
        else:
            console.print(f"[red]conflict[/] {_escape(conflict.message)}")
    if result.blocking:
        _fail(f"{len(result.blocking)} conflict(s); nothing was written.")
    applied = apply(result, compiled.config.output_dir)
    for conflict in applied.conflicts:
        console.print(f"[red]conflict[/] {_escape(conflict.message)}")
    if not applied.committed:
        _fail(f"{len(applied.conflicts)} file(s) changed while building; nothing was written.")
    kept = {c.path for c in applied.conflicts}
    out = _console()
    for change in result.changes:
        if change.path in kept:
            continue
        colour = {"create": "green", "update": "cyan", "delete": "red", "scaffold": "magenta"}[
            change.kind
        ]
        out.print(f"[{colour}]{change.kind:>8}[/] {_escape(change.path)}")
    where = compiled.config.relative(compiled.config.output_dir)
    written = len(result.changes) - len(kept)
    summary = (
        f"{written} file(s) changed, {result.unchanged} unchanged"
        if result.changes
        else "everything up to date"
    )
    out.print(f"{where}/: {summary}")
    status = migration_status(compiled)
    _warn_pending_migration(status, _builds_migrations(compiled.config))
    if kept:
        _error(f"{len(kept)} file(s) changed while writing were kept as they are.")
        return 1
    if inputs is not None:
        fingerprint.record(
            compiled.config,
            fingerprint.LastBuild(
                fingerprint=inputs,
                manifest=fingerprint.manifest_hash(compiled.config),
                warnings=[w.as_json() for w in compiled.warnings],
                migrations={
                    "started": status.started,
                    "pending": status.pending,
                    "problems": status.problems,
                },
                targets=list(compiled.config.targets),
            ),
        )
    return 0


def _recover(config: ProjectConfig) -> None:
    """Finish or undo an interrupted write of the output folder before anything reads it."""
    from schemagen.write import recover

    console = _console(stderr=True)
    for line in recover(config.output_dir).messages():
        console.print(f"[yellow]recovered[/]: {_escape(line)}")


def _unchanged(project: Path) -> LastBuild | None:
    """The last build's record when nothing changed since it; None means: do the full work."""
    from schemagen import fingerprint
    from schemagen.config.paths import locate

    paths = locate(project)
    return fingerprint.unchanged_since_last_build(paths) if paths is not None else None


def _report_last_build(last: LastBuild) -> None:
    from schemagen.diagnostics import Diagnostic

    warnings = [
        Diagnostic(
            w["file"],
            w["line"],
            w["column"],
            tuple(w["path"].split(".")) if w["path"] else (),
            w["message"],
            w["level"],
        )
        for w in last.warnings
    ]
    if warnings:
        _print_diagnostics(warnings)


def _relative_output(project: Path) -> str:
    from schemagen.config.paths import locate

    paths = locate(project)
    assert paths is not None
    try:
        return paths.output_dir.relative_to(paths.root).as_posix()
    except ValueError:
        return str(paths.output_dir)


def _builds_migrations(source: ProjectConfig | LastBuild) -> bool:
    targets = source.targets
    return "all" in targets or "alembic" in targets


@app.command()
def check(project: ProjectDir = Path("."), as_json: JsonFlag = False) -> None:
    """For CI: exit 1 with a diff when generated files are stale. Writes nothing.

    Example: schemagen check -C path/to/project
    """
    last = _unchanged(project)
    if (
        last is not None
        and not last.migrations.get("pending")
        and not last.migrations.get("problems")
    ):
        if as_json:
            _emit_json(
                {
                    "ok": True,
                    "changes": [],
                    "conflicts": [],
                    "diff": "",
                    "migrations": last.migrations,
                    "warnings": last.warnings,
                }
            )
        else:
            _report_last_build(last)
            typer.secho("up to date", fg="green")
        return

    from schemagen.build import plan_build
    from schemagen.migrations.migrate import migration_status
    from schemagen.write import output_lock

    compiled = _compile(project, as_json)
    with output_lock(compiled.config.output_dir):
        _recover(compiled.config)
        # force=True so that hand edits show up in the diff instead of only as conflicts.
        result = plan_build(compiled, force=True)
        migrations = migration_status(compiled)
    stale = not result.is_clean() or bool(result.conflicts) or not migrations.ok
    if as_json:
        _emit_json(
            {
                "ok": not stale,
                "changes": [{"path": c.path, "kind": c.kind} for c in result.changes],
                "conflicts": [
                    {"path": c.path, "reason": c.reason, "message": c.message}
                    for c in result.conflicts
                ],
                "diff": result.unified_diff(),
                "migrations": {
                    "started": migrations.started,
                    "pending": migrations.pending,
                    "problems": migrations.problems,
                },
                "warnings": [w.as_json() for w in compiled.warnings],
            }
        )
    else:
        if not result.is_clean() or result.conflicts:
            sys.stdout.write(result.unified_diff())
            for conflict in result.conflicts:
                _console(stderr=True).print(f"[red]edited[/] {_escape(conflict.message)}")
            _console(stderr=True).print(
                f"[red]stale[/]: {len(result.changes)} file(s) differ; run `schemagen build`."
            )
        _print_migration_status(migrations, level="red")
        if not stale:
            _console().print("[green]up to date[/]")
    if stale:
        raise typer.Exit(1)


@app.command()
def migrate(
    project: ProjectDir = Path("."),
    message: Annotated[
        str | None,
        typer.Option(
            "--message", "-m", metavar="MESSAGE", help="What the revision does; names its file."
        ),
    ] = None,
    accept_data_loss: Annotated[
        bool,
        typer.Option(
            "--accept-data-loss",
            help="Allow steps that can lose data (drops, narrowing, removed enum values, placeholders) or fail on existing rows (a new unique).",
        ),
    ] = False,
) -> None:
    """Write the next Alembic revision from the difference between the schemas and snapshot.json.

    Example: schemagen migrate -m "add due dates"
    """
    from schemagen.write import output_lock

    compiled = _compile(project)
    with output_lock(compiled.config.output_dir):
        _recover(compiled.config)
        _migrate(compiled, message, accept_data_loss)


def _migrate(compiled: Compiled, message: str | None, accept_data_loss: bool) -> None:
    from schemagen.migrations import migrate as migrations

    try:
        plan = migrations.plan_migration(compiled, message, accept_data_loss=accept_data_loss)
    except migrations.MigrationRefused as refused:
        for problem in refused.problems:
            _error(problem)
        _fail(f"{len(refused.problems)} step(s) refused; nothing was written.")
    except migrations.MigrationError as error:
        _fail(str(error))
    out = _console()
    if plan is None:
        out.print("no changes: the migrations are up to date with the schemas")
        return
    migrations.write_migration(plan)
    config = compiled.config
    for operation in plan.operations:
        out.print(f"  - {_escape(operation.describe())}")
    console = _console(stderr=True)
    for loss in plan.accepted:
        console.print(f"[yellow]data loss accepted[/]: {_escape(loss)}")
    for warning in plan.warnings:
        console.print(f"[yellow]warning[/]: {_escape(warning)}")
    out.print(
        f"[green]created[/] {_escape(config.relative(plan.path))} (revision {plan.revision}); updated {_escape(config.relative(plan.folder / 'snapshot.json'))}"
    )


def _print_migration_status(status: Status, level: str = "yellow") -> None:
    console = _console(stderr=True)
    for problem in status.problems:
        console.print(f"[{level}]migrations[/]: {_escape(problem)}")
    if status.pending:
        steps = "; ".join(status.pending[:5]) + (
            f"; and {len(status.pending) - 5} more" if len(status.pending) > 5 else ""
        )
        console.print(
            f"[{level}]pending migration[/]: the schemas have changes no revision captures ({_escape(steps)}); run `schemagen migrate -m MESSAGE`."
        )


def _warn_pending_migration(status: Status, builds_migrations: bool) -> None:
    _print_migration_status(status)
    if not status.started and builds_migrations:
        _console(stderr=True).print(
            "[yellow]no migrations yet[/]: run `schemagen migrate -m initial` to write the first revision."
        )


def _alembic(project: Path, run: str, *args: str) -> None:
    """Run an Alembic command on the project's migrations (`schemagen.migrations.apply`), its
    failures one clear line and exit 1 (2 for a revision that does not exist)."""
    from schemagen.config.project import load_config
    from schemagen.migrations.apply import ApplyError, run_alembic

    config = load_config(project)
    try:
        run_alembic(config, run, *args)
    except ApplyError as failure:
        _fail(str(failure), failure.exit_code)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[
        str,
        typer.Argument(
            help="The revision to reach: head (default), 0002, +1.",
            autocompletion=_complete_revisions,
        ),
    ] = "head",
    project: ProjectDir = Path("."),
) -> None:
    """Apply the revisions up to REVISION.

    Example: DATABASE_URL=postgresql://user@127.0.0.1/app schemagen db upgrade
    """
    _alembic(project, "upgrade", revision)


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[
        str,
        typer.Argument(
            help="The revision to go back to: 0001, -1, or base (no tables).",
            autocompletion=_complete_revisions,
        ),
    ],
    project: ProjectDir = Path("."),
) -> None:
    """Undo the revisions after REVISION.

    Example: schemagen db downgrade 0001
    """
    _alembic(project, "downgrade", revision)


@db_app.command("current")
def db_current(project: ProjectDir = Path(".")) -> None:
    """Print the revision the database is at (nothing before the first upgrade).

    Example: schemagen db current -C path/to/project
    """
    _alembic(project, "current")


@db_app.command("history")
def db_history(project: ProjectDir = Path(".")) -> None:
    """List the revisions, newest first, and mark the one the database is at.

    Example: schemagen db history
    """
    _alembic(project, "history")


@app.command()
def seed(
    project: ProjectDir = Path("."),
    rows: Annotated[int, typer.Option("--rows", help="Rows per resource (per tenant).")] = 10,
    seed_value: Annotated[
        int, typer.Option("--seed", help="The same seed makes the same rows.")
    ] = 0,
    tenant: Annotated[
        list[str] | None,
        typer.Option(
            "--tenant",
            metavar="TENANT",
            help="A tenant that gets the rows of each tenant resource; repeat it (default: demo).",
        ),
    ] = None,
    user: Annotated[str, typer.Option("--user", help="Owner of the owned rows.")] = "seed",
    system: Annotated[
        int, typer.Option("--system", help="Rows of each owned resource made system rows.")
    ] = 0,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="RESOURCE",
            help="Seed only this resource; repeat it.",
            autocompletion=_complete_resources,
        ),
    ] = None,
) -> None:
    """Fill the generated app's database (DATABASE_URL) with seed data, parents first.

    Runs the generated backend's `python -m <package>.seed` with this Python.
    Example: schemagen seed --rows 50 --seed 1 --tenant acme --user ann --system 2
    """
    import importlib.util
    import subprocess

    from schemagen.config.project import load_config

    config = load_config(project)
    if importlib.util.find_spec("faker") is None:
        _fail(
            "the seed command makes its values with Faker, which is not installed here: install "
            "the generated project (pip install -e generated) or `pip install faker`"
        )
    backend = config.output_dir / "backend"
    if not (backend / config.package / "seed.py").is_file():
        _fail(
            f"no seed command: {config.relative(backend / config.package / 'seed.py')} does not "
            "exist; run `schemagen build` (the fastapi target writes it)"
        )
    argv = ["--rows", str(rows), "--seed", str(seed_value), "--user", user, "--system", str(system)]
    argv += [f"--tenant={name}" for name in tenant or ()]
    argv += [f"--only={name}" for name in only or ()]
    paths = [str(backend), *filter(None, [os.environ.get("PYTHONPATH")])]
    done = subprocess.run(
        [sys.executable, "-m", f"{config.package}.seed", *argv],
        env=os.environ | {"PYTHONPATH": os.pathsep.join(paths)},
        check=False,
    )
    if done.returncode:
        raise typer.Exit(1)


@app.command()
def diff(project: ProjectDir = Path(".")) -> None:
    """Show what build would change, as a unified diff.

    Example: schemagen diff | less
    """
    from schemagen.build import plan_build
    from schemagen.write import output_lock

    compiled = _compile(project)
    with output_lock(compiled.config.output_dir):
        _recover(compiled.config)
        sys.stdout.write(plan_build(compiled, force=True).unified_diff())


@app.command()
def erd(
    project: ProjectDir = Path("."),
    fmt: Annotated[
        ErdFormat,
        typer.Option(
            "--format",
            "-f",
            help="mermaid (as in generated/erd.md), dot (Graphviz source) or svg (laid out by Graphviz `dot`).",
        ),
    ] = ErdFormat.mermaid,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to this file instead of standard output."
        ),
    ] = None,
) -> None:
    """Draw the entity-relationship diagram: tables, keys, relations with cardinality and on_delete.

    Example: schemagen erd --format svg -o erd.svg
    """
    from schemagen.targets import erd as diagram

    compiled = _compile(project)
    if fmt is ErdFormat.mermaid:
        text = diagram.mermaid(compiled.project)
    else:
        text = diagram.dot(compiled.project)
        if fmt is ErdFormat.svg:
            text = _graphviz_svg(text)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    _console(stderr=True).print(f"[green]wrote[/] {_escape(str(output))}")


def _graphviz_svg(source: str) -> str:
    """`source` laid out by Graphviz's `dot` as SVG; a clear error when Graphviz is missing."""
    import shutil
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        _fail(
            "`--format svg` needs Graphviz's `dot`, which is not installed "
            "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/); "
            "`--format mermaid` and `--format dot` need nothing"
        )
    result = subprocess.run(
        [dot, "-Tsvg"], input=source, capture_output=True, text=True, encoding="utf-8", check=False
    )
    if result.returncode != 0:
        _fail(f"Graphviz's `dot` failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


@app.command()
def schema() -> None:
    """Print the JSON Schema of the resource language, for editors.

    Example: schemagen schema > schemagen.schema.json
    """
    from schemagen.language import language_json_schema

    _emit_json(language_json_schema())


@app.command()
def targets() -> None:
    """List the available targets, built-in and from plugins.

    Example: schemagen targets
    """
    from schemagen.registry import available_targets

    console = _console()
    for name, target in sorted(available_targets().items()):
        console.print(f"[bold]{name:<12}[/] {_escape(target.description)}")


def main() -> None:
    """Entry point: user mistakes exit 1 or 2 with a message; internal errors exit 3 with a hint."""
    from schemagen.diagnostics import SchemaError, UsageError

    try:
        # Without standalone mode click returns the exit code instead of exiting.
        # One name however it was started (`python -m schemagen` too): shell completion is
        # installed for, and asked through, the `schemagen` command.
        code = app(standalone_mode=False, prog_name="schemagen")
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except SchemaError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(1)
    except UsageError as exc:
        # Not `_fail`: nothing up the stack turns typer.Exit into an exit code any more.
        _error(str(exc))
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into a hint
        _handle_other(exc)


def _handle_other(exc: BaseException) -> NoReturn:
    from schemagen.write import WriteError

    if isinstance(exc, _click_exceptions()):
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    if isinstance(exc, WriteError):
        _error(str(exc))
        sys.exit(1)
    if os.environ.get("SCHEMAGEN_DEBUG"):
        raise exc
    _report_internal_error(exc)
    sys.exit(3)


def _report_internal_error(exc: BaseException) -> None:
    from schemagen.format import FormatError

    kind = (
        "a template produced invalid Python" if isinstance(exc, FormatError) else type(exc).__name__
    )
    _console(stderr=True).print(
        f"[bold red]internal error:[/] {_escape(kind)}: {_escape(str(exc))}{_escape(_template_location(exc))}\n"
        "This is a bug in schemagen, not in your schemas. Re-run with SCHEMAGEN_DEBUG=1 for the traceback and report it."
    )


def _click_exceptions() -> tuple[type[Exception], ...]:
    """Click's usage errors (exit 2: unknown command or option, bad value). Typer 0.17 and later
    vendor click as `typer._click`, whose exceptions derive from `typer.TyperException`; earlier
    releases raise those of the `click` package."""
    kinds: list[type[Exception]] = []
    if hasattr(typer, "TyperException"):
        kinds.append(typer.TyperException)
    try:
        import click
    except ImportError:
        pass
    else:
        kinds.append(click.exceptions.ClickException)
    return tuple(kinds)


def _template_location(exc: BaseException) -> str:
    """` (in /path/to/template.j2:LINE)` when `exc` came from rendering a template, else ''.

    Jinja rewrites the traceback of a template error so its frames name the template file and
    line, which is what a user overriding a template needs to see.
    """
    import jinja2

    if not isinstance(exc, jinja2.TemplateError):
        return ""
    where = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    if where is None and isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where = f"{exc.filename}:{exc.lineno}"
    return f" (in {where})" if where else ""
