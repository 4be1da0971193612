"""Same input, same bytes: the kitchen sink built under different hash seeds and in different folders."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers import GOLDEN, cli_env, copy_project, read_tree, run_cli, tree_difference

# (hash seed, where the project sits): every seed, and two unrelated folder paths.
RUNS = [
    ("0", "a/kitchen_sink"),
    ("1", "b/some other place/project"),
    ("12345", "a/kitchen_sink_again"),
]


def test_kitchen_sink_builds_byte_for_byte_the_same(tmp_path: Path) -> None:
    roots = [copy_project(GOLDEN / "kitchen_sink", tmp_path / where) for _, where in RUNS]

    def build(run: tuple[str, Path]) -> dict[str, bytes]:
        seed, root = run
        run_cli("build", cwd=root, env=cli_env(PYTHONHASHSEED=seed))
        return read_tree(root / "generated")

    # Separate processes, run side by side: they share nothing but the inputs.
    with ThreadPoolExecutor(len(RUNS)) as pool:
        trees = list(
            pool.map(build, [(seed, root) for (seed, _), root in zip(RUNS, roots, strict=True)])
        )

    first = trees[0]
    assert len(first) > 3
    for (seed, where), tree in zip(RUNS[1:], trees[1:], strict=True):
        difference = tree_difference(
            first, tree, expected_label=f"seed {RUNS[0][0]}", actual_label=f"seed {seed} in {where}"
        )
        assert not difference, f"the output depends on the hash seed or the folder:\n{difference}"
