"""`runtime.resources.REGISTRY`: a declared resource's module is imported the first time the
resource is asked for, by name or by iterating them all; an unknown name is a KeyError."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemagen.runtime.resources import Registry

SERVICE = """
from schemagen.runtime.resources import Column, Resource

RESOURCE = Resource(
    name="{name}", label="{name}", model=object, key="integer",
    columns={{"id": Column("id", "integer", writable=False)}},
)
REGISTRY.__setitem__("{name}", RESOURCE)
"""


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    """A registry with two services declared, neither imported yet."""
    registry = Registry()
    package = f"services_{tmp_path.name.replace('-', '_')}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    modules = {}
    for name in ("memo", "folder"):
        source = "from tests_registry import REGISTRY\n" + SERVICE.format(name=name)
        (tmp_path / package / f"{name}.py").write_text(source)
        modules[name] = f"{package}.{name}"
    registry.declare(modules)
    shim = type(sys)("tests_registry")
    shim.REGISTRY = registry  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_registry", shim)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield registry
    for name in [*modules.values(), package]:
        sys.modules.pop(name, None)


def imported(registry: Registry) -> set[str]:
    return {name for name, module in registry._modules.items() if module in sys.modules}


def test_a_resource_is_imported_when_it_is_first_asked_for(registry: Registry) -> None:
    assert "memo" in registry and imported(registry) == set()  # declared: known, not imported
    assert registry["memo"].name == "memo"
    assert imported(registry) == {"memo"}


def test_iterating_imports_every_declared_resource(registry: Registry) -> None:
    assert sorted(registry) == ["folder", "memo"]
    assert sorted(r.name for r in registry.values()) == ["folder", "memo"]
    assert imported(registry) == {"folder", "memo"}


def test_an_unknown_name_is_a_key_error(registry: Registry) -> None:
    assert "nothing" not in registry
    with pytest.raises(KeyError, match="nothing"):
        registry["nothing"]
    assert registry.get("nothing") is None
