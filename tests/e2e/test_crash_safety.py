"""The crash-safety guard: `schemagen build` killed with SIGKILL at many points never leaves a mix.

A synthetic project (benchmarks/bench.py) is built from schemas A, then its schemas become B (a
new field in every resource, three resources gone, three new ones), and `schemagen build` is
killed, as a real CLI subprocess, at chosen points of its write: after the Nth change to the
output folder (the writer's SCHEMAGEN_TEST_KILL_AT hook; the points are sampled from the full
list of a traced build, always including each side of the commit point), plus a few kills at
random times. After each kill:

1. the next command (`schemagen check --json`) recovers, and then every file of the output is
   byte for byte A's output or B's output: never a mix;
2. no staging folder or temporary file is left;
3. it reports no conflict, the next `build` exits 0 without one, and `check` then passes;
4. the user's own files in the output folder (an unowned file, and in the long mode an edited
   custom-action handler, which is scaffolded once and then the user's) are untouched.

Some points also kill that recovering `check` in the middle of its recovery.

The default run tries 20 points on 30 resources and four targets; SCHEMAGEN_LONG=1 (set by
.ci/run) tries 26 on 30 resources with every target. The counts go to the run's "guards" summary.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from helpers import REPO, cli_env, read_tree, run_cli, tree_difference, write_tree

from schemagen.files import MANIFEST_NAME, STAGING_NAME

LONG = os.environ.get("SCHEMAGEN_LONG") == "1"
SIZE = 30  # resources: with every target (long mode) some 350 writer steps
TARGETS = ["all"] if LONG else ["jsonschema", "zod", "forms", "tables"]
STEP_KILLS = 20 if LONG else 14  # points of the writer, chosen from a traced build
RECOVERY_KILLS = 2  # a killed build whose recovering `check` is killed too
RANDOM_KILLS = 4  # kills at random times, from outside
SEED = 20261130

NOTES = "NOTES.md"  # a file of the user's in the output folder: never schemagen's
HANDLER = "backend/bench_ext/accounts.py"  # the custom action's handler: scaffolded once


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Project:
    """The synthetic project, its two schema versions, and the output each builds."""

    def __init__(self, root: Path) -> None:
        bench = load_bench()
        bench.TARGETS[:] = TARGETS
        self.root, self.output = root, root / "generated"
        specs = bench.generate_project(root, SIZE)
        specs[0][0]["actions"]["approve"] = {
            "input": {"note": "text"},
            "handler": "bench_ext.accounts:approve",
        }
        bench.write_resource(root / "schemas", *specs[0])
        self.schemas_a = read_tree(root / "schemas")
        self.record = root / ".schemagen" / "cache" / "last-build.json"

        run_cli("build", cwd=root)
        (self.output / NOTES).write_text("my notes: schemagen never touches this\n")
        if LONG:
            handler = self.output / HANDLER
            handler.write_text(handler.read_text() + "\n# my handler code\n")
        self.tree_a, self.record_a = read_tree(self.output), self.record.read_bytes()

        for spec, as_toml in specs[-3:]:
            (root / "schemas" / f"{spec['resource']}.{'toml' if as_toml else 'yaml'}").unlink()
        for spec, as_toml in specs[:-3]:
            spec["fields"]["note_b"] = "string(40)"
            bench.write_resource(root / "schemas", spec, as_toml)
        for name in ("extra_one", "extra_two", "extra_three"):
            (root / "schemas" / f"{name}.yaml").write_text(
                f"resource: {name}\nfields:\n  name: string(80) required\n  code: string(12)\n"
            )
        self.schemas_b = read_tree(root / "schemas")

    def reset_to_a(self) -> None:
        """Output and record as A's build left them, schemas B: the moment before `build`."""
        write_tree(self.output, self.tree_a)
        write_tree(self.root / "schemas", self.schemas_b)
        self.record.write_bytes(self.record_a)

    def build_b(self) -> tuple[dict[str, bytes], list[str], float]:
        """B's output, built once from A with every step traced, and how long that took."""
        self.reset_to_a()
        trace = self.root.parent / "trace.txt"
        started = time.monotonic()
        run_cli("build", cwd=self.root, env=cli_env(SCHEMAGEN_TEST_TRACE=str(trace)))
        elapsed = time.monotonic() - started
        steps = [line.split(" ", 1)[1] for line in trace.read_text().splitlines()]
        return read_tree(self.output), steps, elapsed


def pick_steps(steps: list[str], count: int) -> list[int]:
    """At least `count` step numbers (1-based): each side of the commit point and the ends of the
    write, then the middle of the widest gap left, again and again."""
    commit = steps.index("commit") + 1
    named = [1, 2, commit - 2, commit - 1, commit, commit + 1, commit + 2]
    named += [steps.index("replace manifest") + 1, len(steps) - 1, len(steps)]
    chosen = {n for n in named if 1 <= n <= len(steps)}
    while len(chosen) < min(count, len(steps)):
        points = sorted(chosen)
        low, high = max(itertools.pairwise(points), key=lambda pair: pair[1] - pair[0])
        chosen.add((low + high) // 2)
    return sorted(chosen)


class Tally:
    def __init__(self) -> None:
        self.step_kills = self.recovery_kills = self.random_kills = 0
        self.finished_before_kill = 0
        self.old = self.new = 0
        self.mixed: list[str] = []
        self.steps_in_build = 0

    def line(self) -> str:
        return (
            f"crash safety ({'long' if LONG else 'default'} mode, {SIZE} resources, "
            f"{self.steps_in_build} writer steps in the build): kill points tried "
            f"{self.step_kills + self.recovery_kills + self.random_kills} ({self.step_kills} at "
            f"writer steps, {self.recovery_kills} inside recovery, {self.random_kills} at random "
            f"times, of which {self.finished_before_kill} finished first); recovered to old "
            f"{self.old}, to new {self.new}; mixed trees {len(self.mixed)}"
        )


def schemagen(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=root, env=cli_env(**env), check=False)


def test_killed_build_leaves_old_or_new_output(
    tmp_path: Path, guard_report: Callable[[str], None]
) -> None:
    project = Project(tmp_path / "project")
    tree_b, steps, duration = project.build_b()
    tally = Tally()
    tally.steps_in_build = len(steps)
    try:
        kill_builds(project, tree_b, steps, duration, tally)
    finally:
        guard_report(tally.line())
    assert tally.mixed == []


def kill_builds(
    project: Project, tree_b: dict[str, bytes], steps: list[str], duration: float, tally: Tally
) -> None:
    assert project.tree_a != tree_b and tree_b[NOTES] == project.tree_a[NOTES]
    changed_paths = {
        p for p in project.tree_a.keys() | tree_b.keys() if project.tree_a.get(p) != tree_b.get(p)
    }
    assert len(changed_paths) > SIZE  # a build that changes many files

    def verify(label: str, recovered: subprocess.CompletedProcess[str]) -> None:
        """The checks after a kill; `recovered` is the first command that ran after it."""
        after = read_tree(project.output)
        if after == project.tree_a:
            tally.old += 1
        elif after == tree_b:
            tally.new += 1
        else:
            tally.mixed.append(label)
            pytest.fail(
                f"{label}: a mix of old and new output\n"
                + tree_difference(tree_b, after, expected_label="new", actual_label="on disk")
            )
        assert recovered.returncode in (0, 1), recovered.stderr
        report = json.loads(recovered.stdout)
        assert report["conflicts"] == [], f"{label}: false conflicts {report['conflicts']}"
        if after == tree_b:
            assert report["ok"], recovered.stdout
        else:
            assert {c["path"] for c in report["changes"]} == changed_paths - {MANIFEST_NAME}
        assert not list(project.output.rglob(".schemagen-*tmp")), label
        assert not (project.output / STAGING_NAME).exists(), label
        build = schemagen(project.root, "build")
        assert build.returncode == 0 and "conflict" not in build.stderr, (label, build.stderr)
        assert read_tree(project.output) == tree_b
        check = schemagen(project.root, "check")
        assert check.returncode == 0, (label, check.stdout, check.stderr)

    commit = steps.index("commit") + 1
    for step in pick_steps(steps, STEP_KILLS):
        project.reset_to_a()
        killed = schemagen(project.root, "build", SCHEMAGEN_TEST_KILL_AT=str(step))
        assert killed.returncode == -signal.SIGKILL, (step, killed.stdout, killed.stderr)
        tally.step_kills += 1
        verify(
            f"killed after step {step} ({steps[step - 1]})",
            schemagen(project.root, "check", "--json"),
        )

    rng = random.Random(SEED)
    after_commit = range(commit + 1, len(steps) - 2)
    for _ in range(RECOVERY_KILLS):
        step = rng.choice(after_commit)
        project.reset_to_a()
        killed = schemagen(project.root, "build", SCHEMAGEN_TEST_KILL_AT=str(step))
        assert killed.returncode == -signal.SIGKILL
        # The recovering command is killed at its 1st or 2nd step: a recovery of a recovery.
        again = schemagen(project.root, "check", SCHEMAGEN_TEST_KILL_AT=str(rng.choice((1, 2))))
        assert again.returncode == -signal.SIGKILL, again.stderr
        tally.recovery_kills += 1
        verify(
            f"killed after step {step}, then in recovery",
            schemagen(project.root, "check", "--json"),
        )

    for i in range(RANDOM_KILLS):
        project.reset_to_a()
        process = subprocess.Popen(
            [sys.executable, "-m", "schemagen", "build"],
            cwd=project.root,
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Anywhere in the build, weighted towards its end, where the writing happens.
        delay = duration * (0.5 + 0.6 * rng.random())
        try:
            process.wait(timeout=delay)
            tally.finished_before_kill += 1
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        tally.random_kills += 1
        verify(f"random kill {i} after {delay:.2f}s", schemagen(project.root, "check", "--json"))

    if LONG:
        handler = read_tree(project.output)[HANDLER]
        assert handler.endswith(b"# my handler code\n")


def stopped(pid: int) -> bool:
    """Whether process `pid` is stopped by a signal (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[0] == "T"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("moment", ["before the commit point", "after the commit point"])
def test_a_file_edited_while_build_runs_is_kept(tmp_path: Path, moment: str) -> None:
    """A hand edit made after `build` read a file and before it replaced it is never lost.

    The build stops itself (SIGSTOP, the writer's SCHEMAGEN_TEST_STOP_AT hook) right after it
    staged its first file, or right after its commit point; the edit is made; the build goes on.
    Before the commit point it writes nothing; after it, it writes everything but that file.
    Either way it names the file and exits 1, and the next build reports the edit as a hand edit.
    """
    project = Project(tmp_path / "project")
    tree_b, steps, _ = project.build_b()
    project.reset_to_a()
    target = next(p for p in sorted(project.tree_a) if p.startswith("jsonschema/"))
    assert tree_b[target] != project.tree_a[target]
    label = "flush staging" if moment == "before the commit point" else "flush journal"
    process = subprocess.Popen(
        [sys.executable, "-m", "schemagen", "build"],
        cwd=project.root,
        env=cli_env(SCHEMAGEN_TEST_STOP_AT=str(steps.index(label) + 1)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(2400):  # at most two minutes for the build to reach its stop
            if process.poll() is not None or stopped(process.pid):
                break
            time.sleep(0.05)
        assert process.poll() is None, "the build ended before it stopped"
        edited = project.tree_a[target] + b"\n"  # the user's edit
        (project.output / target).write_bytes(edited)
        process.send_signal(signal.SIGCONT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = " ".join(stderr.split())
    assert process.returncode == 1, (stdout, stderr)
    after = read_tree(project.output)
    if moment == "before the commit point":
        assert f"{target} changed on disk while schemagen was building" in stderr
        assert "nothing was written" in stderr
        assert after == {**project.tree_a, target: edited}
    else:
        assert f"{target} changed on disk while schemagen was writing" in stderr
        assert after == {**tree_b, target: edited}
    again = schemagen(project.root, "build")
    assert again.returncode == 1 and "edited by hand" in again.stderr, again.stderr
    assert (project.output / target).read_bytes() == edited


def test_check_removes_and_reports_orphans_of_older_versions(tmp_path: Path) -> None:
    """`.schemagen-<hex>.tmp` files that schemagen before the journal left when killed."""
    root = tmp_path / "shop"
    run_cli("init", str(root), cwd=tmp_path)
    run_cli("build", cwd=root)
    before = read_tree(root / "generated")
    orphans = ["backend/shop/.schemagen-0123456789abcdef.tmp", ".schemagen-fedcba9876543210.tmp"]
    for orphan in orphans:
        (root / "generated" / orphan).write_text("half a file")
    # A new schemagen version never answers from an older version's record.
    (root / ".schemagen" / "cache" / "last-build.json").unlink()
    result = run_cli("check", cwd=root)
    assert "removed 2 orphan temporary file(s)" in " ".join(result.stderr.split())
    assert read_tree(root / "generated") == before


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")
def test_a_command_waits_for_a_build_writing_the_same_output(tmp_path: Path) -> None:
    """Recovery never mistakes a running build's staging folder for a killed one's: `check`
    waits for the build's lock on the output folder, then sees its finished output."""
    root = tmp_path / "shop"
    run_cli("init", str(root), cwd=tmp_path)
    run_cli("build", cwd=root)
    with (root / "schemas" / "task.yaml").open("a") as schema:
        schema.write("  notes: text\n")
    build = subprocess.Popen(
        [sys.executable, "-m", "schemagen", "build"],
        cwd=root,
        env=cli_env(SCHEMAGEN_TEST_STOP_AT="1"),  # stopped with its staging folder just made
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    check = None
    try:
        for _ in range(2400):
            if build.poll() is not None or stopped(build.pid):
                break
            time.sleep(0.05)
        assert build.poll() is None and (root / "generated" / STAGING_NAME).is_dir()
        check = subprocess.Popen(
            [sys.executable, "-m", "schemagen", "check"],
            cwd=root,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2400):
            if check.poll() is not None or "lock" in Path(f"/proc/{check.pid}/wchan").read_text():
                break
            time.sleep(0.05)
        assert check.poll() is None, check.communicate()
        build.send_signal(signal.SIGCONT)
        _, build_err = build.communicate(timeout=120)
        check_out, check_err = check.communicate(timeout=120)
    finally:
        for process in (build, check):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert build.returncode == 0, build_err
    assert check.returncode == 0 and "up to date" in check_out, (check_out, check_err)
    assert "recovered" not in check_err
