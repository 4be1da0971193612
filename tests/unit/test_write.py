"""The writer: real files in tmp_path, no mocks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from schemagen import write
from schemagen.files import RenderedFile
from schemagen.write import (
    MANIFEST_NAME,
    STAGING_NAME,
    Change,
    Manifest,
    OutputFolder,
    Plan,
    WriteError,
    apply,
    commit_files,
    content_hash,
    plan,
    recover,
)

FORMATTER = "ruff 0.17.6"


def files(contents: dict[str, str]) -> list[RenderedFile]:
    """Owned RenderedFiles from {path: content}."""
    return [RenderedFile(path, text) for path, text in contents.items()]


def build(out: Path, rendered: list[RenderedFile], **options) -> Plan:
    result = plan(out, rendered, formatter=FORMATTER, **options)
    apply(result, out)
    return result


def tree(out: Path) -> dict[str, bytes]:
    """Every file under `out` (manifest included) with its bytes."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file: any rewrite, even an identical one, changes them."""
    result = {}
    for p in out.rglob("*"):
        if p.is_file():
            st = p.stat()
            result[p.relative_to(out).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return result


def manifest_files(out: Path) -> dict[str, dict[str, str]]:
    return json.loads((out / MANIFEST_NAME).read_text())["files"]


# --- first write, no-op, single change --------------------------------------------------------


def test_first_write(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    result = build(out, files({"backend/x/models.py": "A = 1\n", "README.md": "hi\n"}))
    readme, models = content_hash("hi\n"), content_hash("A = 1\n")
    assert [(c.kind, c.path) for c in result.changes] == [
        ("create", "README.md"),
        ("create", "backend/x/models.py"),
    ]
    assert tree(out)["backend/x/models.py"] == b"A = 1\n"
    assert (out / MANIFEST_NAME).read_text() == (
        "{\n"
        '  "files": {\n'
        '    "README.md": {\n'
        f'      "sha256": "{readme}"\n'
        "    },\n"
        '    "backend/x/models.py": {\n'
        f'      "sha256": "{models}"\n'
        "    }\n"
        "  },\n"
        '  "formatter": "ruff 0.17.6",\n'
        '  "schemagen_manifest": 1\n'
        "}\n"
    )


def test_second_plan_is_a_no_op(tmp_path: Path) -> None:
    rendered = files({"a.py": "A = 1\n", "b/c.py": "C = 1\n"})
    build(tmp_path, rendered)
    before = stamps(tmp_path)
    again = plan(tmp_path, rendered, formatter=FORMATTER)
    assert again.is_clean() and again.changes == [] and again.conflicts == []
    assert again.unchanged == 2 and not again.manifest_changed
    assert again.unified_diff() == ""
    apply(again, tmp_path)
    assert stamps(tmp_path) == before  # nothing rewritten, manifest included


def test_only_the_changed_file_is_rewritten(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A = 1\n", "b.py": "B = 1\n"}))
    before = stamps(tmp_path)
    result = build(tmp_path, files({"a.py": "A = 2\n", "b.py": "B = 1\n"}))
    assert [(c.kind, c.path, c.old, c.new) for c in result.changes] == [
        ("update", "a.py", "A = 1\n", "A = 2\n")
    ]
    after = stamps(tmp_path)
    assert after["b.py"] == before["b.py"]
    assert after["a.py"] != before["a.py"] and after[MANIFEST_NAME] != before[MANIFEST_NAME]
    assert (tmp_path / "a.py").read_bytes() == b"A = 2\n"
    assert manifest_files(tmp_path)["a.py"]["sha256"] == content_hash("A = 2\n")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]  # no temp file left


def test_bytes_written_exactly(tmp_path: Path) -> None:
    content = "é\r\nno newline translation\nlast"
    build(tmp_path, [RenderedFile("x.txt", content)])
    assert (tmp_path / "x.txt").read_bytes() == content.encode()
    assert manifest_files(tmp_path)["x.txt"]["sha256"] == content_hash(content.encode())


# --- stale files --------------------------------------------------------------------------------


def test_stale_files_deleted_and_empty_folders_pruned(tmp_path: Path) -> None:
    build(tmp_path, files({"a/b/c/x.py": "x", "a/y.py": "y", "z/w.py": "w", "a/d/v.py": "v"}))
    (tmp_path / "a" / "d" / "mine.txt").write_text("user file")
    result = build(tmp_path, files({"a/y.py": "y"}))
    assert [(c.kind, c.path, c.old) for c in result.changes] == [
        ("delete", "a/b/c/x.py", "x"),
        ("delete", "a/d/v.py", "v"),
        ("delete", "z/w.py", "w"),
    ]
    assert sorted(tree(tmp_path)) == [MANIFEST_NAME, "a/d/mine.txt", "a/y.py"]
    assert not (tmp_path / "a" / "b").exists() and not (tmp_path / "z").exists()
    assert list(manifest_files(tmp_path)) == ["a/y.py"]


def test_output_root_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    build(out, files({"x/y.py": "y"}))
    build(out, [])
    assert out.is_dir() and sorted(tree(out)) == [MANIFEST_NAME]
    assert manifest_files(out) == {}


def test_stale_file_already_gone_is_fine(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "a"}))
    (tmp_path / "a.py").unlink()
    result = build(tmp_path, [])
    assert result.changes == [] and result.manifest_changed


def test_file_replaced_by_a_folder(tmp_path: Path) -> None:
    build(tmp_path, files({"models": "old"}))
    build(tmp_path, files({"models/user.py": "new"}))
    assert (tmp_path / "models" / "user.py").read_text() == "new"


# --- conflicts ----------------------------------------------------------------------------------


def test_hand_edited_file_is_a_conflict(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A = 1\n", "b.py": "B = 1\n"}))
    (tmp_path / "a.py").write_text("A = 1  # mine\n")
    snapshot = tree(tmp_path)
    result = plan(tmp_path, files({"a.py": "A = 2\n", "b.py": "B = 2\n"}), formatter=FORMATTER)
    [conflict] = result.conflicts
    assert (conflict.path, conflict.reason, conflict.forced) == ("a.py", "edited", False)
    assert "a.py" in conflict.message and "--force" in conflict.message
    assert result.blocking == [conflict]
    with pytest.raises(WriteError, match="a.py"):
        apply(result, tmp_path)
    assert tree(tmp_path) == snapshot  # not even b.py was written


def test_force_overwrites_a_hand_edited_file(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A = 1\n"}))
    (tmp_path / "a.py").write_text("A = 1  # mine\n")
    result = build(tmp_path, files({"a.py": "A = 2\n"}), force=True)
    assert result.conflicts[0].forced and result.blocking == []
    assert result.changes == [Change("a.py", "update", "A = 1  # mine\n", "A = 2\n")]
    assert (tmp_path / "a.py").read_text() == "A = 2\n"
    assert plan(tmp_path, files({"a.py": "A = 2\n"}), formatter=FORMATTER).is_clean()


def test_edit_matching_the_new_render_is_no_conflict(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A = 1\n"}))
    (tmp_path / "a.py").write_text("A = 2\n")
    result = build(tmp_path, files({"a.py": "A = 2\n"}))
    assert result.conflicts == [] and result.changes == []
    assert manifest_files(tmp_path)["a.py"]["sha256"] == content_hash("A = 2\n")


def test_hand_edited_stale_file(tmp_path: Path) -> None:
    build(tmp_path, files({"old.py": "old\n"}))
    (tmp_path / "old.py").write_text("old, edited\n")
    result = plan(tmp_path, [], formatter=FORMATTER)
    assert [(c.path, c.reason) for c in result.conflicts] == [("old.py", "edited_stale")]
    with pytest.raises(WriteError):
        apply(result, tmp_path)
    assert (tmp_path / "old.py").exists()
    build(tmp_path, [], force=True)
    assert not (tmp_path / "old.py").exists()


def test_unowned_file_never_touched_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("user code\n")
    for force in (False, True):
        result = plan(
            tmp_path, files({"a.py": "A = 1\n", "b.py": "B\n"}), force=force, formatter=FORMATTER
        )
        [conflict] = result.conflicts
        assert (conflict.reason, conflict.forced) == ("unowned", False)
        assert "not written by schemagen" in conflict.message
        assert "a.py" not in result.manifest.files
        with pytest.raises(WriteError):
            apply(result, tmp_path)
    assert tree(tmp_path) == {"a.py": b"user code\n"}


def test_identical_unowned_file_is_adopted(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("A = 1\n")
    before = stamps(tmp_path)
    result = build(tmp_path, files({"a.py": "A = 1\n"}))
    assert result.changes == [] and result.conflicts == [] and result.unchanged == 1
    assert stamps(tmp_path)["a.py"] == before["a.py"]
    assert list(manifest_files(tmp_path)) == ["a.py"]


def test_unrendered_unowned_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    build(tmp_path, files({"a.py": "a"}))
    build(tmp_path, [])
    assert tree(tmp_path)["notes.txt"] == b"mine"


def test_missing_owned_file_is_recreated(tmp_path: Path) -> None:
    build(tmp_path, files({"a/b.py": "B\n"}))
    (tmp_path / "a" / "b.py").unlink()
    result = build(tmp_path, files({"a/b.py": "B\n"}))
    assert result.changes == [Change("a/b.py", "create", None, "B\n")]
    assert (tmp_path / "a" / "b.py").read_text() == "B\n"


# --- once files ---------------------------------------------------------------------------------


def test_once_files_are_scaffolded_then_left_alone(tmp_path: Path) -> None:
    handler = RenderedFile("actions/approve.py", "def approve(): ...\n", once=True)
    result = build(tmp_path, [handler])
    assert result.changes == [Change("actions/approve.py", "scaffold", None, handler.content)]
    assert result.manifest.files == {}  # never owned

    (tmp_path / "actions" / "approve.py").write_text("def approve(): return 42\n")
    newer = RenderedFile(handler.path, "def approve(): pass\n", once=True)
    result = build(tmp_path, [newer], force=True)
    assert result.changes == [] and result.conflicts == [] and result.unchanged == 1

    build(tmp_path, [], force=True)  # no longer rendered: still never deleted
    assert (tmp_path / "actions" / "approve.py").read_text() == "def approve(): return 42\n"


def test_owned_file_turned_once_is_kept_and_released(tmp_path: Path) -> None:
    build(tmp_path, files({"h.py": "v1\n"}))
    result = build(tmp_path, [RenderedFile("h.py", "v2\n", once=True)])
    assert result.changes == []
    assert (tmp_path / "h.py").read_text() == "v1\n" and manifest_files(tmp_path) == {}


# --- paths --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../x.py", "a/../../x.py", "a\\b.py", "a//b.py", "a/", "", "./a.py", "C:/x.py"],
)
def test_bad_paths_rejected(tmp_path: Path, path: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(WriteError, match="invalid output path"):
        plan(out, [RenderedFile("ok.py", "x"), RenderedFile(path, "x")], formatter=FORMATTER)
    assert not out.exists()


def test_manifest_name_is_reserved(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="reserved"):
        plan(tmp_path, [RenderedFile(MANIFEST_NAME, "{}")], formatter=FORMATTER)


def test_duplicate_and_file_folder_clash_rejected(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="same path"):
        plan(tmp_path, files({"a.py": "1"}) + files({"a.py": "2"}), formatter=FORMATTER)
    with pytest.raises(WriteError, match="both as a file and as a folder"):
        plan(tmp_path, files({"a": "1", "a/b.py": "2"}), formatter=FORMATTER)


def test_symlinked_folder_leading_outside_is_not_written_through(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WriteError, match="outside the output folder"):
        plan(out, files({"link/x.py": "x"}), formatter=FORMATTER)
    assert list(outside.iterdir()) == []


def test_symlinked_folder_inside_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    build(tmp_path, files({"alias/x.py": "x"}))
    assert (tmp_path / "real" / "x.py").read_text() == "x"


def test_symlinked_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_text("keep")
    (tmp_path / "a.py").symlink_to(tmp_path / "target.txt")
    with pytest.raises(WriteError, match="symbolic link"):
        plan(tmp_path, files({"a.py": "x"}), formatter=FORMATTER)


def test_file_in_the_way_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("user file")
    with pytest.raises(WriteError, match="a is a file"):
        plan(tmp_path, files({"a/b.py": "x"}), formatter=FORMATTER)


# --- diff ---------------------------------------------------------------------------------------


def test_unified_diff(tmp_path: Path) -> None:
    build(tmp_path, files({"keep.py": "k\n", "mod.py": "one\ntwo\n", "old.py": "gone\n"}))
    result = plan(
        tmp_path,
        files({"keep.py": "k\n", "mod.py": "one\n2\n", "new.py": "fresh"}),
        formatter=FORMATTER,
    )
    assert result.unified_diff() == (
        "diff --git a/mod.py b/mod.py\n"
        "--- a/mod.py\n"
        "+++ b/mod.py\n"
        "@@ -1,2 +1,2 @@\n"
        " one\n"
        "-two\n"
        "+2\n"
        "diff --git a/new.py b/new.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/new.py\n"
        "@@ -0,0 +1 @@\n"
        "+fresh\n"
        "\\ No newline at end of file\n"
        "diff --git a/old.py b/old.py\n"
        "deleted file mode 100644\n"
        "--- a/old.py\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-gone\n"
    )


def test_plan_never_writes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert not plan(out, files({"a.py": "a"}), formatter=FORMATTER).is_clean()
    assert not out.exists()
    build(out, files({"a.py": "a", "b.py": "b"}))
    before, snapshot = stamps(out), tree(out)
    result = plan(out, files({"a.py": "A", "c.py": "c"}), formatter=FORMATTER)
    assert [c.kind for c in result.changes] == ["update", "delete", "create"]
    assert stamps(out) == before and tree(out) == snapshot


# --- manifest -----------------------------------------------------------------------------------


def test_manifest_is_deterministic(tmp_path: Path) -> None:
    rendered = files({"z.py": "z", "a/b.py": "b", "m.txt": "m"})
    build(tmp_path / "one", rendered)
    build(tmp_path / "two", list(reversed(rendered)))
    one = (tmp_path / "one" / MANIFEST_NAME).read_bytes()
    assert one == (tmp_path / "two" / MANIFEST_NAME).read_bytes()
    assert Manifest.loads(one.decode()).dumps().encode() == one


def test_manifest_records_sources(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A\n"}), sources={"a.py": "f" * 64})
    assert manifest_files(tmp_path)["a.py"] == {"sha256": content_hash("A\n"), "source": "f" * 64}


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '{"schemagen_manifest": 1, "files": []}',
        '{"schemagen_manifest": 1, "files": {"a.py": {"sha256": "nope"}}}',
        '{"schemagen_manifest": 1, "files": {"../x": {"sha256": "' + "0" * 64 + '"}}}',
    ],
)
def test_corrupt_manifest(tmp_path: Path, text: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(WriteError, match="corrupt"):
        Manifest.load(tmp_path)
    with pytest.raises(WriteError, match="corrupt"):
        plan(tmp_path, [], formatter=FORMATTER)


def test_newer_manifest_version(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text('{"schemagen_manifest": 2, "files": {}}')
    with pytest.raises(WriteError, match="newer schemagen"):
        Manifest.load(tmp_path)


def test_missing_manifest_is_empty(tmp_path: Path) -> None:
    assert Manifest.load(tmp_path / "nowhere").files == {}


def test_no_manifest_for_an_empty_build(tmp_path: Path) -> None:
    result = build(tmp_path, [])
    assert not result.manifest_changed and tree(tmp_path) == {}


# --- reusing previous formatting ----------------------------------------------------------------


def test_reusable(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A = 1\n"}), sources={"a.py": "s1"})
    folder = OutputFolder(tmp_path)
    assert folder.reusable("a.py", "s1", FORMATTER) == "A = 1\n"
    assert folder.reusable("a.py", "s2", FORMATTER) is None  # the render changed
    assert folder.reusable("a.py", "s1", "ruff 9.9.9") is None  # the formatter changed
    assert folder.reusable("b.py", "s1", FORMATTER) is None  # not owned
    # The same OutputFolder goes to `plan`, which reuses what it has read.
    assert plan(folder, files({"a.py": "A = 1\n"}), formatter=FORMATTER).is_clean()

    (tmp_path / "a.py").write_text("A = 1  # edited\n")
    assert OutputFolder(tmp_path).reusable("a.py", "s1", FORMATTER) is None


# --- one transaction: old or new, whatever stops the process ------------------------------------


class Killed(BaseException):
    """Stands for SIGKILL in-process: no `except Exception` and no cleanup of ours catches it."""


OLD = {"a.py": "A = 1\n", "keep.py": "K\n", "gone/x.py": "X\n", "models": "file\n", "b/c.py": "C\n"}
NEW = {
    "a.py": "A = 2\n",
    "keep.py": "K\n",
    "models/user.py": "U\n",
    "b/c.py": "C2\n",
    "d.py": "D\n",
}


def steps_of(monkeypatch: pytest.MonkeyPatch, action: Callable[[], object]) -> list[str]:
    labels: list[str] = []
    monkeypatch.setattr(write, "_after_step", labels.append)
    action()
    monkeypatch.undo()
    return labels


def kill_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    count = [0]

    def after_step(label: str) -> None:
        count[0] += 1
        if count[0] == step:
            raise Killed(label)

    monkeypatch.setattr(write, "_after_step", after_step)


def test_killed_at_every_step_the_next_command_sees_old_or_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, scaffold = tmp_path / "base", RenderedFile("h.py", "def h(): ...\n", once=True)
    build(base, files(OLD))
    (base / "mine.txt").write_text("not generated\n")
    old_tree = tree(base)
    labels = steps_of(monkeypatch, lambda: build(base, [*files(NEW), scaffold]))
    new_tree = tree(base)
    assert "commit" in labels and len(labels) > 12
    outcomes = []
    for step in range(1, len(labels) + 1):
        out = tmp_path / f"k{step}"
        for path, data in old_tree.items():
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_bytes(data)
        result = plan(out, [*files(NEW), scaffold], formatter=FORMATTER)
        kill_at(monkeypatch, step)
        with pytest.raises(Killed):
            apply(result, out)
        monkeypatch.undo()
        recovery = recover(out)
        after = tree(out)
        assert after in (old_tree, new_tree), (
            f"a mix after a kill at step {step} ({labels[step - 1]})"
        )
        assert not (out / STAGING_NAME).exists() and recovery.conflicts == []
        outcomes.append((after == new_tree, recovery.action))
        # The next build is clean: no false conflict, and then nothing left to do.
        assert build(out, [*files(NEW), scaffold]).conflicts == []
        assert tree(out) == new_tree
    committed = labels.index("commit") + 1
    assert labels[-2:] == ["delete journal", "remove staging"]
    assert outcomes == (
        [(False, "none")]  # only an empty staging folder
        + [(False, "undone")] * (committed - 2)  # before the commit point: the old output
        + [(True, "finished")] * (len(labels) - committed - 1)  # after it: the new one
        + [(True, "none")] * 2  # the journal went: an empty staging folder, or nothing, left
    )


def test_killed_while_recovering_the_next_recovery_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, files(OLD))
    result = plan(tmp_path, files(NEW), formatter=FORMATTER)
    kill_at(monkeypatch, 14)  # after the commit and the deletions: in the middle of the renames
    with pytest.raises(Killed):
        apply(result, tmp_path)
    kill_at(monkeypatch, 2)
    with pytest.raises(Killed):
        recover(tmp_path)
    monkeypatch.undo()
    assert recover(tmp_path).action == "finished"
    assert plan(tmp_path, files(NEW), formatter=FORMATTER).is_clean()
    assert not (tmp_path / STAGING_NAME).exists()


def test_a_file_edited_while_building_is_kept_and_nothing_written(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A = 1\n", "b.py": "B = 1\n", "old.py": "O\n"}))
    result = plan(tmp_path, files({"a.py": "A = 2\n", "b.py": "B = 2\n"}), formatter=FORMATTER)
    (tmp_path / "a.py").write_text("A = 1  # mine, typed while the build ran\n")
    snapshot = tree(tmp_path)
    applied = apply(result, tmp_path)
    assert not applied.committed
    assert [(c.path, c.reason) for c in applied.conflicts] == [("a.py", "changed_while_building")]
    assert "your version is kept" in applied.conflicts[0].message
    assert tree(tmp_path) == snapshot  # b.py and the deletion of old.py waited too


@pytest.mark.parametrize("kind", ["create", "delete"])
def test_a_file_created_or_edited_before_its_turn_is_kept(tmp_path: Path, kind: str) -> None:
    build(tmp_path, files({"old.py": "O\n"}))
    result = plan(tmp_path, files({"new.py": "N\n"}), formatter=FORMATTER)
    path = "new.py" if kind == "create" else "old.py"
    (tmp_path / path).write_text("mine\n")
    applied = apply(result, tmp_path)
    assert [c.path for c in applied.conflicts] == [path] and not applied.committed
    assert (tmp_path / path).read_text() == "mine\n"


def test_an_edit_after_the_commit_point_is_kept_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, files(OLD))
    result = plan(tmp_path, files(NEW), formatter=FORMATTER)
    committed: list[str] = []
    monkeypatch.setattr(write, "_after_step", committed.append)
    monkeypatch.setattr(
        write, "_roll_forward", lambda root, journal: (_ for _ in ()).throw(Killed("after commit"))
    )
    with pytest.raises(Killed):
        apply(result, tmp_path)
    monkeypatch.undo()
    assert committed[-1] == "flush journal"
    (tmp_path / "a.py").write_text("A = 1  # mine, typed after the crash\n")
    (tmp_path / "gone" / "x.py").write_text("X  # mine too, though no longer generated\n")
    recovery = recover(tmp_path)
    assert recovery.action == "finished"
    assert [(c.path, c.reason) for c in recovery.conflicts] == [
        ("gone/x.py", "changed_while_building"),
        ("a.py", "changed_while_building"),
    ]
    assert "the next build reports it as edited by hand" in recovery.conflicts[1].message
    assert "schemagen no longer owns it" in recovery.conflicts[0].message
    assert (tmp_path / "a.py").read_text() == "A = 1  # mine, typed after the crash\n"
    assert (tmp_path / "gone" / "x.py").read_text() == "X  # mine too, though no longer generated\n"
    assert (tmp_path / "d.py").read_text() == "D\n"  # the rest was finished
    # The manifest matches the disk but for the edit, which the next build reports as one.
    again = plan(tmp_path, files(NEW), formatter=FORMATTER)
    assert [(c.path, c.reason) for c in again.conflicts] == [("a.py", "edited")]
    assert again.changes == []


def test_recover_undoes_an_uncommitted_write_and_removes_orphans(tmp_path: Path) -> None:
    build(tmp_path, files({"a/b.py": "B\n"}))
    before = tree(tmp_path)
    (tmp_path / STAGING_NAME).mkdir()
    (tmp_path / STAGING_NAME / "0").write_text("half")
    (tmp_path / "a" / ".schemagen-0123456789abcdef.tmp").write_text("old writer")
    (tmp_path / ".schemagen-fedcba9876543210.tmp").write_text("old writer")
    (tmp_path / "a" / ".schemagen-mine.tmp").write_text("not ours: another name")
    recovery = recover(tmp_path)
    assert recovery.action == "undone"
    assert recovery.orphans == [
        ".schemagen-fedcba9876543210.tmp",
        "a/.schemagen-0123456789abcdef.tmp",
    ]
    assert any("orphan" in line for line in recovery.messages())
    assert tree(tmp_path) == {**before, "a/.schemagen-mine.tmp": b"not ours: another name"}
    assert recover(tmp_path) == write.Recovery()  # nothing left to do


def test_a_corrupt_journal_is_reported_not_guessed(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A\n"}))
    (tmp_path / STAGING_NAME).mkdir()
    (tmp_path / STAGING_NAME / "journal.json").write_text(
        '{"schemagen_journal": 1, "delete": [["../x", "'
        + "0" * 64
        + '"]], "write": [], "manifest": null}'
    )
    with pytest.raises(WriteError, match="corrupt"):
        recover(tmp_path)
    assert (tmp_path / "a.py").read_text() == "A\n"


def test_apply_refuses_a_plan_made_over_an_interrupted_write(tmp_path: Path) -> None:
    build(tmp_path, files({"a.py": "A\n"}))
    result = plan(tmp_path, files({"a.py": "B\n"}), formatter=FORMATTER)
    (tmp_path / STAGING_NAME).mkdir()
    with pytest.raises(WriteError, match="interrupted"):
        apply(result, tmp_path)
    assert (tmp_path / "a.py").read_text() == "A\n"


def test_the_staging_folder_name_is_reserved(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="reserved"):
        plan(tmp_path, [RenderedFile(f"{STAGING_NAME}/x.py", "x")], formatter=FORMATTER)


def test_commit_files_writes_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "snapshot.json").write_text("{}\n")
    kill_at(monkeypatch, 4)  # staged both, not committed
    with pytest.raises(Killed):
        commit_files(tmp_path, {"versions/0001.py": b"rev\n", "snapshot.json": b"{1}\n"})
    monkeypatch.undo()
    recover(tmp_path)
    assert tree(tmp_path) == {"snapshot.json": b"{}\n"}
    commit_files(tmp_path, {"versions/0001.py": b"rev\n", "snapshot.json": b"{1}\n"})
    assert tree(tmp_path) == {"snapshot.json": b"{1}\n", "versions/0001.py": b"rev\n"}
