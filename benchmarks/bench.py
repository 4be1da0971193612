"""Benchmark the schemagen CLI on synthetic projects of 10, 100 and 500 resources.

Every timing is the wall clock of the real CLI as a user runs it (a subprocess of the venv's
`schemagen`, so interpreter start-up and imports count). Each operation runs `--repeat` times;
the table shows medians, the JSON also min/max and every run. Budgets are reported, never
enforced: the machine is shared and noisy.

    python benchmarks/bench.py                        # 10, 100, 500 resources, 5 repeats
    python benchmarks/bench.py --sizes 100 --repeat 9 --json bench.json
    python benchmarks/bench.py --sizes 100,500 --profile   # plus where the time goes

`--profile` adds, per size, an in-process breakdown by pipeline stage (full build and no-op
check), the top functions under cProfile, and the heaviest imports of `schemagen check`
(`python -X importtime`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEMAGEN = BIN / "schemagen"

# name -> (size, operation, limit in ms)
BUDGETS = {"build@100": (100, "build", 1000.0), "check@100": (100, "check", 400.0)}
OPERATIONS = {
    "first_build": "first build: fresh project, no output, no .schemagen/cache (1 run per size)",
    "build": "full build: output folder emptied, caches warm",
    "noop_build": "no-op build",
    "check": "no-op check",
    "edit_build": "build after editing one resource",
}

# ---------------------------------------------------------------------------------------------
# Synthetic projects

NOUNS = (
    "account", "invoice", "order", "product", "customer", "supplier", "warehouse", "shipment",
    "payment", "contract", "project", "task", "ticket", "employee", "department", "office",
    "region", "campaign", "lead", "opportunity", "quote", "asset", "vehicle", "booking",
    "room", "event", "course", "lesson", "student", "teacher", "article", "comment", "review",
    "category", "brand", "coupon", "subscription", "plan", "feature", "release", "incident",
    "sensor", "reading", "device", "document", "folder", "note", "survey", "answer", "budget",
)  # fmt: skip
STATUSES = ("draft", "active", "on_hold", "archived")
OPTIONAL_FIELDS = {
    "code": "string(12) unique",
    "email": {"type": "email", "searchable": True},
    "due_on": "date",
    "score": {"type": "float", "min": 0, "max": 100},
    "external_id": "uuid",
    "website": "url",
    "priority": {"type": "integer", "default": 3, "min": 1, "max": 5},
}


def resource_names(count: int) -> list[str]:
    """`count` distinct snake_case names: the nouns, then `<noun>_2`, `<noun>_3`, ..."""
    return [
        NOUNS[i % len(NOUNS)] + (f"_{i // len(NOUNS) + 1}" if i >= len(NOUNS) else "")
        for i in range(count)
    ]


def resource_spec(names: list[str], i: int, rng: random.Random) -> dict:
    """A realistic resource: 10-12 fields (a few 13-14) of mixed types, relations to earlier ones."""
    name = names[i]
    fields: dict[str, object] = {
        "name": "string(200) required",
        "description": "text",
        "status": {
            "type": "enum",
            "values": [{"value": s, "label": s.replace("_", " ").title()} for s in STATUSES],
            "default": "draft",
            "filterable": True,
        },
        "quantity": {"type": "integer", "min": 0, "sortable": True},
        "amount": {"type": "decimal", "precision": 12, "scale": 2, "default": 0, "min": 0},
        "active": {"type": "boolean", "default": True, "filterable": True},
        "happened_at": "datetime",
        "settings": {"type": "json"},
        "tags": {"type": "array", "of": "string"},
    }
    for key in rng.sample(sorted(OPTIONAL_FIELDS), rng.randint(0, 1)):
        fields[key] = OPTIONAL_FIELDS[key]
    if i > 0:
        target = names[rng.randrange(i)]
        fields[target] = {
            "type": "relation",
            "to": target,
            "on_delete": "set_null",
            "filterable": True,
        }
        if i % 7 == 0:  # a second relation to the same target: the inverse names get "_as_<field>"
            fields[f"backup_{target}"] = {"type": "relation", "to": target, "on_delete": "set_null"}
        if i % 5 == 0:
            other = names[rng.randrange(i)]
            fields[f"linked_{other}"] = {"type": "many_to_many", "to": other}
    if i % 11 == 0:
        fields["parent"] = {"type": "relation", "to": name, "on_delete": "set_null"}
    traits = ["timestamps", "soft_delete"] if i % 4 == 0 else ["timestamps"]
    return {
        "resource": name,
        "description": f"Synthetic resource {i} for benchmarks.",
        "traits": traits,
        "fields": fields,
        "indexes": [
            {"fields": ["status", "created_at"]},
            {"fields": ["happened_at"], "where": "happened_at IS NOT NULL"},
        ],
        "actions": {
            "list": {
                "sort": ["-created_at"],
                "searchable": ["name"],
                "sortable": ["name", "created_at"],
            }
        },
    }


def yaml_text(value: object, indent: int = 0) -> str:
    """A tiny YAML writer for the shapes above (JSON scalars are valid YAML)."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item and not _flat(item):
                lines.append(f"{pad}{key}:\n{yaml_text(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {_flow(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        return "\n".join(f"{pad}- {_flow(item)}" for item in value)
    return pad + _flow(value)


def _flat(value: object) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return all(not isinstance(v, dict | list) for v in items) and len(json.dumps(value)) < 90


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if (
        isinstance(value, str)
        and value.replace("_", "").replace("(", "").replace(")", "").replace(" ", "").isalnum()
    ):
        return value
    return json.dumps(value)


def toml_text(spec: dict) -> str:
    """The same resource as TOML (inline tables; JSON strings are valid TOML basic strings)."""

    def inline(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{k} = {inline(v)}" for k, v in value.items()) + " }"
        if isinstance(value, list):
            return "[" + ", ".join(inline(v) for v in value) + "]"
        return json.dumps(value)

    head = [f"{k} = {inline(v)}" for k, v in spec.items() if k not in ("fields", "actions")]
    fields = [f"{k} = {inline(v)}" for k, v in spec["fields"].items()]
    actions = [f"{k} = {inline(v)}" for k, v in spec["actions"].items()]
    return "\n".join([*head, "", "[fields]", *fields, "", "[actions]", *actions]) + "\n"


def write_resource(folder: Path, spec: dict, as_toml: bool) -> Path:
    path = folder / f"{spec['resource']}.{'toml' if as_toml else 'yaml'}"
    path.write_text(toml_text(spec) if as_toml else yaml_text(spec) + "\n", encoding="utf-8")
    return path


TARGETS = ["all"]  # --targets: e.g. the core's jsonschema,sqlalchemy


def generate_project(root: Path, count: int, seed: int = 20240601) -> list[tuple[dict, bool]]:
    """A fresh project in `root` with `count` resources (every 10th in TOML). Returns the specs."""
    if root.exists():
        shutil.rmtree(root)
    (root / "schemas").mkdir(parents=True)
    (root / "schemagen.toml").write_text(
        '[project]\nname = "bench"\npackage = "bench"\nschemas = "schemas"\noutput = "generated"\n'
        f"targets = {json.dumps(TARGETS)}\n\n"
        '[database]\ndialects = ["sqlite", "postgresql", "mysql"]\n',
        encoding="utf-8",
    )
    rng = random.Random(seed + count)
    names = resource_names(count)
    specs = []
    for i in range(count):
        spec, as_toml = resource_spec(names, i, rng), i % 10 == 9
        write_resource(root / "schemas", spec, as_toml)
        specs.append((spec, as_toml))
    return specs


def edit_resource(root: Path, specs: list[tuple[dict, bool]], round_: int) -> None:
    """Change one resource the way a user would: a new label and one more field."""
    spec, as_toml = specs[len(specs) // 2]
    edited = {
        **spec,
        "label": f"Edited resource {round_}",
        "fields": {**spec["fields"], f"note_{round_}": "string(40)"},
    }
    write_resource(root / "schemas", edited, as_toml)


# ---------------------------------------------------------------------------------------------
# Timing the CLI


class Variant:
    """One schemagen to time: this checkout's, or another `src/` folder put first on PYTHONPATH."""

    def __init__(
        self, name: str, scratch: Path, src: Path | None = None, bytecode_cache: bool = True
    ):
        self.name = name
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMAGEN_")}
        if bytecode_cache:
            # As a user runs it: an installed package has its bytecode compiled. Kept under the
            # scratch folder, so the source tree gets no __pycache__ folders.
            self.env.pop("PYTHONDONTWRITEBYTECODE", None)
            self.env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
        if src is not None:
            self.env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(src.resolve()), self.env.get("PYTHONPATH")])
            )

    def run(
        self, args: list[str], cwd: Path, expect: int = 0
    ) -> tuple[float, float, subprocess.CompletedProcess[str]]:
        """Wall-clock and CPU ms (user + sys, ruff included) of one `schemagen` run.

        A wrong exit code is a bug, not noise, so it stops the benchmark.
        """
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(
            [str(SCHEMAGEN), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        wall = (time.perf_counter() - start) * 1000
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
        if result.returncode != expect:
            sys.exit(
                f"[{self.name}] `schemagen {' '.join(args)}` in {cwd} exited {result.returncode}, expected {expect}:\n{result.stdout}\n{result.stderr}"
            )
        return wall, cpu, result


def summary(wall: list[float], cpu: list[float]) -> dict[str, object]:
    return {
        "median_ms": round(statistics.median(wall), 1),
        "min_ms": round(min(wall), 1),
        "max_ms": round(max(wall), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "runs_ms": [round(r, 1) for r in wall],
    }


def bench_size(
    scratch: Path, count: int, repeat: int, variants: list[Variant]
) -> dict[str, dict[str, object]]:
    """Every operation `repeat` times for each variant, interleaved so noise hits them alike."""
    roots = {v.name: scratch / f"project-{count}" / v.name for v in variants}
    specs = {name: generate_project(root, count) for name, root in roots.items()}
    wall: dict[str, dict[str, list[float]]] = {
        v.name: {op: [] for op in OPERATIONS} for v in variants
    }
    cpu: dict[str, dict[str, list[float]]] = {
        v.name: {op: [] for op in OPERATIONS} for v in variants
    }

    def timed(variant: Variant, op: str, args: list[str], expect_out: str | None = None) -> None:
        root = roots[variant.name]
        ms, cpu_ms, result = variant.run(args, root)
        if expect_out is not None and expect_out not in result.stdout:
            sys.exit(
                f"[{variant.name}] {OPERATIONS[op]}: expected {expect_out!r} in the output:\n{result.stdout}"
            )
        wall[variant.name][op].append(ms)
        cpu[variant.name][op].append(cpu_ms)

    for variant in variants:
        timed(variant, "first_build", ["build"], "file(s) changed")
    for round_ in range(repeat):
        for variant in variants:
            shutil.rmtree(roots[variant.name] / "generated")
            timed(variant, "build", ["build"], "file(s) changed")
        for variant in variants:
            timed(variant, "noop_build", ["build"], "everything up to date")
        for variant in variants:
            timed(variant, "check", ["check"], "up to date")
        for variant in variants:
            edit_resource(roots[variant.name], specs[variant.name], round_)
            timed(variant, "edit_build", ["build"], "file(s) changed")
    results = {}
    for variant in variants:
        root = roots[variant.name]
        variant.run(["check"], root)  # the edited build must be complete
        files = [p for p in (root / "generated").rglob("*") if p.is_file()]
        results[variant.name] = {
            "resources": count,
            "output_files": len(files),
            "output_bytes": sum(p.stat().st_size for p in files),
            **{op: summary(wall[variant.name][op], cpu[variant.name][op]) for op in OPERATIONS},
        }
    return results


def warm_up(scratch: Path, variants: list[Variant]) -> None:
    """One build of a small project per variant: bytecode caches, page cache, the ruff binary."""
    for variant in variants:
        root = scratch / "warm-up" / variant.name
        generate_project(root, 12)
        variant.run(["build"], root)
        variant.run(["check"], root)


def bench_help(cwd: Path, repeat: int, variants: list[Variant]) -> dict[str, dict[str, object]]:
    wall: dict[str, list[float]] = {v.name: [] for v in variants}
    cpu: dict[str, list[float]] = {v.name: [] for v in variants}
    for variant in variants:
        variant.run(["--help"], cwd)
    for _ in range(repeat):
        for variant in variants:
            ms, cpu_ms, _ = variant.run(["--help"], cwd)
            wall[variant.name].append(ms)
            cpu[variant.name].append(cpu_ms)
    return {v.name: summary(wall[v.name], cpu[v.name]) for v in variants}


def print_table(
    results: dict[str, list[dict]], help_: dict[str, dict], budgets: list[dict]
) -> None:
    names = list(results)
    for key, title in (
        ("median_ms", "median wall-clock ms"),
        ("cpu_median_ms", "median CPU ms (user + sys, ruff included)"),
    ):
        print(
            f"\n{title} of the real CLI"
            + (f"; {names[0]} / {names[1]} = ratio" if len(names) > 1 else "")
        )
        header = f"{'resources':>9} {'files':>6} " + " ".join(
            f"{op:>{23 if len(names) > 1 else 11}}" for op in OPERATIONS
        )
        print(header)
        print("-" * len(header))
        for i, first in enumerate(results[names[0]]):
            cells = []
            for op in OPERATIONS:
                value = first[op][key]
                if len(names) > 1:
                    other = results[names[1]][i][op][key]
                    cells.append(f"{value:>7.0f} /{other:>7.0f} ={value / other:>5.2f}")
                else:
                    cells.append(f"{value:>11.0f}")
            print(f"{first['resources']:>9} {first['output_files']:>6} " + " ".join(cells))
    for name, h in help_.items():
        print(
            f"\n[{name}] schemagen --help: {h['median_ms']:.0f} ms wall (min {h['min_ms']:.0f}, max {h['max_ms']:.0f}), {h['cpu_median_ms']:.0f} ms CPU"
        )
    print("\n" + "\n".join(f"  {op:<11} {text}" for op, text in OPERATIONS.items()))
    for b in budgets:
        verdict = "n/a (size not run)" if b["ok"] is None else ("ok" if b["ok"] else "MISSED")
        median = "" if b["median_ms"] is None else f"{b['median_ms']:.0f} ms: "
        print(f"budget {b['name']:<10} < {b['limit_ms']:.0f} ms: {median}{verdict}")


def check_budgets(results: list[dict]) -> list[dict]:
    by_size = {r["resources"]: r for r in results}
    out = []
    for name, (size, op, limit) in BUDGETS.items():
        median = by_size[size][op]["median_ms"] if size in by_size else None
        out.append(
            {
                "name": name,
                "limit_ms": limit,
                "median_ms": median,
                "ok": None if median is None else median < limit,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Profiling (in-process: the pipeline's own functions, one stage at a time)


def stage_times(root: Path) -> dict[str, float]:
    """ms per pipeline stage for one build into `root`'s output folder as it is now.

    Load, validate and resolve are called one by one; rendering runs through the build's own
    `render_project`, with each target's `render` and the ruff pass wrapped in timers, so the
    breakdown follows however the build sets the targets up (caches included).
    """
    from dataclasses import replace

    from schemagen import build, load, resolve, validate, write

    times: dict[str, float] = {}

    def timed(stage: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            times[stage] = times.get(stage, 0.0) + (time.perf_counter() - start) * 1000

    def timed_target(target: Any) -> Any:
        return replace(
            target, render=lambda *a, **k: timed(f"render: {target.name}", target.render, *a, **k)
        )

    config = timed("config", build.load_config, root)
    paths = timed("load (yaml/toml)", load.find_schema_files, config.schemas_dir)
    documents = timed(
        "load (yaml/toml)", lambda: [load.load_file(p, config.relative(p)) for p in paths]
    )
    validated, warnings = timed(
        "validate (pydantic + checks)", validate.validate, config, documents
    )
    project = timed("resolve (IR)", resolve.resolve, config, validated)
    api = timed("API model", build.build_api, project)
    folder = timed("read manifest", write.OutputFolder, config.output_dir)

    available, format_python = build.available_targets, build.format_python
    build.available_targets = lambda: {name: timed_target(t) for name, t in available().items()}
    build.format_python = lambda files: timed("ruff (check + format)", format_python, files)
    try:
        compiled = build.Compiled(config, project, warnings, api)
        files, sources = timed("render_project", build.render_project, compiled, folder)
    finally:
        build.available_targets, build.format_python = available, format_python
    inner = sum(ms for stage, ms in times.items() if stage.startswith(("render: ", "ruff")))
    times["hash, reuse, rest of render"] = times.pop("render_project") - inner
    times.setdefault("ruff (check + format)", 0.0)
    result = timed("plan (read + compare)", write.plan, folder, files, sources=sources)
    timed("apply (write)", write.apply, result, config.output_dir)
    return times


def profile_size(
    root: Path, count: int, repeat: int, top: int, env: dict[str, str]
) -> dict[str, object]:
    import cProfile
    import io
    import pstats

    from schemagen import build, write

    generate_project(root, count)
    out = root / "generated"
    print(f"\n=== profile: {count} resources ===")
    stage_times(root)  # warm-up: imports, template compilation, `ruff --version`
    full_runs, noop_runs = [], []
    for _ in range(repeat):
        shutil.rmtree(out)
        full_runs.append(stage_times(root))
        noop_runs.append(stage_times(root))
    full = {
        stage: statistics.median(run.get(stage, 0.0) for run in full_runs) for stage in full_runs[0]
    }
    noop = {
        stage: statistics.median(run.get(stage, 0.0) for run in noop_runs) for stage in noop_runs[0]
    }
    print(f"{'stage (in-process, median ms)':<32} {'full build':>10} {'no-op':>8}")
    for stage, ms in full.items():
        print(f"{stage:<32} {ms:>10.1f} {noop.get(stage, 0):>8.1f}")
    print(f"{'total':<32} {sum(full.values()):>10.1f} {sum(noop.values()):>8.1f}")

    for label, empty in (("full build", True), ("no-op check", False)):
        if empty:
            shutil.rmtree(out)
        profiler = cProfile.Profile()
        profiler.enable()
        build.plan_build(build.compile_project(root), force=not empty)
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
        print(
            f"\n--- cProfile, {label}, top {top} by cumulative time (profiler overhead inflates) ---"
        )
        print("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))
        if empty:
            write.apply(build.plan_build(build.compile_project(root)), out)

    imports = import_profile(root, env)
    return {
        "resources": count,
        "stages_full_ms": {k: round(v, 1) for k, v in full.items()},
        "stages_noop_ms": {k: round(v, 1) for k, v in noop.items()},
        "imports_ms": imports,
    }


def import_profile(root: Path, env: dict[str, str], top: int = 15) -> dict[str, float]:
    """The heaviest top-level imports of `schemagen check`, from `python -X importtime`."""
    subprocess.run(
        [sys.executable, "-m", "schemagen", "check"],
        cwd=root,
        capture_output=True,
        env=env,
        check=False,
    )  # bytecode
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "schemagen", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    totals: dict[str, float] = {}
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        raw = parts[2]
        if raw.startswith(" ") and not raw.startswith("  "):  # one space after the bar: top level
            totals[raw.strip()] = totals.get(raw.strip(), 0.0) + int(parts[1]) / 1000
    everything = sum(totals.values())
    ranked = dict(sorted(totals.items(), key=lambda kv: -kv[1])[:top])
    print(
        f"\n--- imports of `schemagen check` (top-level, cumulative ms; all: {everything:.0f} ms) ---"
    )
    for name, ms in ranked.items():
        print(f"{ms:>8.1f}  {name}")
    return {"all": round(everything, 1), **{k: round(v, 1) for k, v in ranked.items()}}


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="10,100,500",
        help="comma-separated resource counts (default: 10,100,500)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per operation (default: 5)")
    parser.add_argument(
        "--json", type=Path, help="write the results here instead of printing them at the end"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=REPO / ".bench",
        help="scratch folder (default: .bench/ in the repo)",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="SRC",
        help="also time the schemagen package in SRC (e.g. another checkout's src/), interleaved, and show ratios",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set: schemagen's own modules are then compiled on every run",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile the pipeline in-process for each size"
    )
    parser.add_argument(
        "--top", type=int, default=25, help="functions shown per cProfile listing (default: 25)"
    )
    parser.add_argument(
        "--no-timings", action="store_true", help="with --profile: skip the CLI timings"
    )
    parser.add_argument(
        "--targets",
        default="all",
        help="comma-separated targets the synthetic projects build (default: all)",
    )
    args = parser.parse_args(argv)
    TARGETS[:] = [t.strip() for t in args.targets.split(",") if t.strip()]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.repeat < 1 or not sizes or min(sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    if not SCHEMAGEN.exists():
        parser.error(f"{SCHEMAGEN} not found; run this with the venv's python (make bench)")
    if args.against is not None and not (args.against / "schemagen" / "__init__.py").is_file():
        parser.error(f"--against {args.against}: no schemagen package there")
    scratch = args.dir.resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    variants = [Variant("current", scratch, bytecode_cache=not args.no_bytecode_cache)]
    if args.against is not None:
        variants.append(
            Variant("against", scratch, args.against, bytecode_cache=not args.no_bytecode_cache)
        )

    data: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "repeat": args.repeat,
        "bytecode_cache": not args.no_bytecode_cache,
    }
    if args.against is not None:
        data["against"] = str(args.against.resolve())
    if not args.no_timings:
        results: dict[str, list[dict]] = {v.name: [] for v in variants}
        warm_up(scratch, variants)
        for count in sizes:
            print(
                f"benchmarking {count} resources x {args.repeat} ...", file=sys.stderr, flush=True
            )
            for name, result in bench_size(scratch, count, args.repeat, variants).items():
                results[name].append(result)
        help_ = bench_help(scratch, args.repeat, variants)
        budgets = check_budgets(results["current"])
        print_table(results, help_, budgets)
        data.update({"results": results, "help": help_, "budgets": budgets})
    if args.profile:
        env = variants[0].env
        data["profiles"] = [
            profile_size(scratch / f"profile-{count}", count, args.repeat, args.top, env)
            for count in sizes
        ]

    text = json.dumps(data, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
        print(f"\nJSON written to {args.json}")
    else:
        print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
