"""A non-editable install works: the wheel carries the package and its templates, and schemagen
run from the installed wheel builds exactly what the editable checkout builds.

The wheel is installed with `pip install --no-deps --target`, and only that folder is put on
PYTHONPATH: the dependencies still come from the venv, but `schemagen` itself (and its templates)
must come from the wheel, never from the source checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, cli_env, run_cli

PIP_TIMEOUT = 180  # seconds; building and installing take a few


def pip(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        cwd=cwd,
        env=cli_env(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1"),
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"`pip {' '.join(args)}` exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, as `pip wheel` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    # With hatchling in the venv (the dev extra) no isolated build env has to be downloaded.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    pip("wheel", "--no-deps", *isolation, "-w", str(out), str(REPO), cwd=out)
    [built] = out.glob("schemagen-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed, without dependencies, into a folder of its own."""
    target = tmp_path_factory.mktemp("installed") / "site"
    pip(
        "install",
        "--no-deps",
        "--no-compile",
        "--target",
        str(target),
        str(wheel),
        cwd=target.parent,
    )
    return target


def installed_env(site: Path) -> dict[str, str]:
    """The CLI environment with the installed wheel first on the path (before the editable one)."""
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return cli_env(PYTHONPATH=os.pathsep.join(paths))


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_wheel_holds_every_module_and_template(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "schemagen/templates/sqlalchemy/models_resource.py.j2" in names
    assert "schemagen/pre-commit-hooks.yaml" in names  # what `init` writes as local hooks
    templates = {
        f"schemagen/templates/{p.relative_to(REPO / 'templates').as_posix()}"
        for p in (REPO / "templates").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    modules = {
        f"schemagen/{p.relative_to(REPO / 'src' / 'schemagen').as_posix()}"
        for p in (REPO / "src" / "schemagen").rglob("*.py")
    }
    assert templates and not templates - names, (
        f"templates missing from the wheel: {sorted(templates - names)}"
    )
    assert not modules - names, f"modules missing from the wheel: {sorted(modules - names)}"
    # The TypeScript runtime is package data: copied from the installed package into clients.
    runtime = {
        f"schemagen/{p.relative_to(REPO / 'src' / 'schemagen').as_posix()}"
        for p in (REPO / "src" / "schemagen" / "runtime_ts").rglob("*")
        if p.is_file()
    }
    assert "schemagen/runtime_ts/client/http.ts" in runtime
    assert not runtime - names, f"runtime files missing from the wheel: {sorted(runtime - names)}"
    # Nothing of the checkout's layout leaks in: no src/ prefix, no top-level templates/.
    assert not [n for n in names if n.startswith(("src/", "templates/"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "schemagen = schemagen.entry:main" in archive.read(entry_points).decode()


def test_installed_wheel_builds_what_the_checkout_builds(site: Path, tmp_path: Path) -> None:
    env = installed_env(site)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import schemagen, schemagen.render as r; print(schemagen.__file__); print(r.builtin_templates())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    package = Path(where[0]).resolve()
    assert package.is_relative_to(site.resolve()), (
        f"schemagen imported from {package}, not the wheel"
    )
    assert Path(where[1]).resolve() == site.resolve() / "schemagen" / "templates"

    # One project, built twice: by the installed wheel and by the editable checkout.
    project = tmp_path / "shop"
    run_cli("init", str(project), cwd=tmp_path, env=env)
    editable = tmp_path / "editable" / "shop"
    shutil.copytree(project, editable)

    run_cli("build", cwd=project, env=env)
    run_cli("build", cwd=editable)
    built = tree(project / "generated")
    assert "backend/shop/models/__init__.py" in built
    assert ".schemagen-manifest.json" in built
    expected = tree(editable / "generated")
    assert sorted(built) == sorted(expected)
    different = [path for path in built if built[path] != expected[path]]
    assert not different, f"the wheel and the checkout build different files: {different}"
    # And the installed schemagen agrees the output is current.
    run_cli("check", cwd=project, env=env)
