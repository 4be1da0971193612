"""The one ruff pass: real ruff over real temporary files."""

from __future__ import annotations

import pytest

from schemagen import format as fmt
from schemagen.files import RenderedFile
from schemagen.format import FormatError, format_python, source_hash

MESSY = """\
import sys
import os
from typing import List, Optional
import json
from pydantic import BaseModel
from .db import Base
def f(x:List[int], y: Optional[str]=None):
  return os.path.join(str(x), y or "", Base, BaseModel)
"""


@pytest.fixture
def ruff_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record every ruff invocation (ruff still runs for real)."""
    calls: list[list[str]] = []
    real = fmt.run_ruff

    def spy(args, cwd):
        calls.append(list(args))
        return real(args, cwd)

    fmt.ruff_version()  # cached: keep `ruff --version` out of the count
    monkeypatch.setattr(fmt, "run_ruff", spy)
    return calls


def test_sorts_imports_removes_unused_and_formats() -> None:
    [out] = format_python([RenderedFile("backend/app/models.py", MESSY)])
    assert out.content == (
        "import os\n"
        "\n"
        "from pydantic import BaseModel\n"
        "\n"
        "from .db import Base\n"
        "\n"
        "\n"
        "def f(x: list[int], y: str | None = None):\n"
        '    return os.path.join(str(x), y or "", Base, BaseModel)\n'
    )


def test_nothing_is_first_party_by_location() -> None:
    # `app` is the generated package itself, yet it sorts with third-party imports, exactly as it
    # would if formatted alone: a file's result never depends on its siblings.
    source = "import sqlalchemy\nfrom app import db\nimport os\nprint(os, db, sqlalchemy)\n"
    files = [RenderedFile("app/__init__.py", ""), RenderedFile("app/main.py", source)]
    together = format_python(files)[1].content
    alone = format_python([RenderedFile("main.py", source)])[0].content
    assert (
        together
        == alone
        == ("import os\n\nimport sqlalchemy\nfrom app import db\n\nprint(os, db, sqlalchemy)\n")
    )


def test_reexports_in_init_are_kept() -> None:
    [out] = format_python([RenderedFile("pkg/__init__.py", "from .b import B\nfrom .a import A\n")])
    assert out.content == "from .a import A\nfrom .b import B\n"


def test_folders_ruff_excludes_by_default_are_formatted() -> None:
    files = [RenderedFile(f"{d}/m.py", "x  =  1\n") for d in ("build", ".venv", "node_modules")]
    assert [f.content for f in format_python(files)] == ["x = 1\n"] * 3


def test_non_python_untouched_and_order_kept() -> None:
    files = [
        RenderedFile("b.ts", "const  x=1\n"),
        RenderedFile("a.py", "x  =  1\n", once=True),
        RenderedFile("README.md", "import os\n"),
    ]
    out = format_python(files)
    assert [f.path for f in out] == ["b.ts", "a.py", "README.md"]
    assert out[0] is files[0] and out[2] is files[2]
    assert out[1] == RenderedFile("a.py", "x = 1\n", once=True)


def test_idempotent() -> None:
    once = format_python([RenderedFile("m.py", MESSY)])
    assert format_python(once) == once


def test_one_process_pair_for_many_files(ruff_calls: list[list[str]]) -> None:
    files = [RenderedFile(f"pkg/m{i}.py", f"import os\nX{i}  =  {i}\n") for i in range(200)]
    out = format_python(files)
    assert [call[0] for call in ruff_calls] == ["check", "format"]
    assert all(f.content.startswith(f"X{i} = {i}\n") for i, f in enumerate(out))


def test_no_process_without_python(ruff_calls: list[list[str]]) -> None:
    files = [RenderedFile("a.ts", "x")]
    assert format_python(files) == files
    assert ruff_calls == []


def test_syntax_error_names_the_file() -> None:
    files = [
        RenderedFile("ok.py", "x = 1\n"),
        RenderedFile("backend/bad.py", "def f(:\n    pass\n"),
    ]
    with pytest.raises(FormatError) as info:
        format_python(files)
    assert info.value.paths == ("backend/bad.py",)
    assert "backend/bad.py:1:" in str(info.value)
    assert "schemagen-format-" not in str(info.value)  # no temporary folder names


def test_invalid_path_rejected() -> None:
    with pytest.raises(FormatError):
        format_python([RenderedFile("../escape.py", "x = 1\n")])


def test_ruff_version_and_source_hash() -> None:
    assert fmt.RUFF_VERSION == "ruff 0.17.6"
    assert source_hash("x") == source_hash("x") != source_hash("y")
    assert len(source_hash("x")) == 64
