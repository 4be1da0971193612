"""Load YAML and TOML schema files into plain data, remembering where every key came from."""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from schemagen.config.paths import SCHEMA_SUFFIXES, find_schema_files  # noqa: F401 - re-exported
from schemagen.diagnostics import Diagnostic, Path_

try:  # libyaml's composer is several times faster than the pure-Python one.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1 << 20  # a resource schema is a few KiB; refuse anything absurd quickly
MAX_NODES = 100_000  # after alias expansion: stops "billion laughs" documents
MAX_DEPTH = 64

# Matched with fullmatch: `$` also matches before a trailing newline.
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?")
MAX_DIGITS = (
    40  # far beyond any count, length or bound the language has; Python's int() stops at 4300
)


@dataclass
class Document:
    """One schema file: its data and the (line, column) of every key path, 1-based."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    format: str = "yaml"

    def locate(self, path: Path_) -> tuple[int | None, int | None]:
        """The position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            position = self.positions.get(tuple(path[:end]))
            if position is not None:
                return position
        return None, None

    def diagnostic(self, path: Path_, message: str, level: str = "error") -> Diagnostic:
        line, column = self.locate(path)
        return Diagnostic(self.file, line, column, tuple(path), message, level)


class LoadError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


def load_file(path: Path, display: str | None = None) -> Document:
    """Parse one YAML or TOML file. Raises LoadError with a located diagnostic."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(
                Diagnostic(name, message=f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(
            Diagnostic(name, message=f"cannot read file: {exc.strerror or exc}")
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(Diagnostic(name, message=f"not valid UTF-8 (byte {exc.start})")) from None
    if path.suffix == ".toml":
        return load_toml(text, name)
    return load_yaml(text, name)


class ParsedFiles:
    """Schema files parsed before, reused while the file is unchanged on disk (same inode, size,
    modification and change times): a long-running `schemagen watch` parses only what was saved.

    A Document is never changed after loading, so one can serve every build.
    """

    def __init__(self) -> None:
        self._parsed: dict[tuple[Path, str], tuple[tuple[int, ...], Document]] = {}

    def load(self, path: Path, display: str) -> Document:
        try:
            info = path.stat()
        except OSError:
            return load_file(path, display)  # which reports why
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        known = self._parsed.get((path, display))
        if known is not None and known[0] == stamp:
            return known[1]
        document = load_file(path, display)  # a LoadError is not kept: it is reported each time
        self._parsed[(path, display)] = (stamp, document)
        return document


def load_toml(text: str, name: str) -> Document:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise LoadError(Diagnostic(name, line, column, (), f"invalid TOML: {message}")) from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table; YAML gets MAX_DEPTH below.
        raise LoadError(
            Diagnostic(name, message=f"invalid TOML: nested deeper than {MAX_DEPTH} levels")
        ) from None
    except ValueError:  # only an integer of more than 4300 digits (int()'s own limit)
        raise LoadError(
            Diagnostic(name, message=f"the number has more than {MAX_DIGITS} digits")
        ) from None
    document = Document(name, data, toml_positions(text), "toml")
    problem = value_problem(data)
    if problem is not None:
        raise LoadError(document.diagnostic(*problem))
    return document


def toml_positions(text: str) -> dict[Path_, tuple[int, int]]:
    """The (line, column) of every key path of a TOML document tomllib has read, 1-based: keys,
    table headers, array items. tomllib keeps no positions, so the text is scanned again."""
    scanner = _TomlScanner(text)
    try:
        scanner.document()
    except (IndexError, ValueError, RecursionError):  # TOMLDecodeError is a ValueError
        pass  # text this scanner does not follow: the positions found so far still help
    return scanner.positions


class _TomlScanner:
    """Just enough of TOML's grammar to place keys: the text is already known to be valid."""

    _BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
    _SPACE = re.compile(r"[ \t]*")
    _SCALAR_END = re.compile(r"[,\]}\n#]")

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.table: Path_ = ()
        self.array_tables: dict[tuple[str, ...], int] = {}  # [[name]] -> tables so far

    def at(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def place(self, path: Path_, index: int) -> None:
        self.positions.setdefault(path, self.at(index))

    def skip(self, newlines: bool) -> None:
        """Spaces, and with `newlines` blank lines and comments too."""
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t" or newlines and char in "\r\n":
                self.i += 1
            elif char == "#" and newlines:
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        while True:
            self.skip(newlines=True)
            if self.i >= len(self.text):
                return
            if self.text[self.i] == "[":
                self.header()
            else:
                self.pair(self.table)

    def header(self) -> None:
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        self.skip(newlines=False)
        start = self.i
        keys = self.key()
        path: list[str | int] = []
        for depth, part in enumerate(keys, 1):
            path.append(part)
            self.place(tuple(path), start)
            prefix = tuple(keys[:depth])
            if array and depth == len(keys):
                self.array_tables[prefix] = self.array_tables.get(prefix, 0) + 1
            if prefix in self.array_tables:
                path.append(self.array_tables[prefix] - 1)
                self.place(tuple(path), start)
        self.table = tuple(path)
        self.i = self.text.index("]]" if array else "]", self.i) + (2 if array else 1)

    def key(self) -> list[str]:
        parts = []
        while True:
            self.skip(newlines=False)
            char = self.text[self.i]
            if char in "\"'":
                end = self.string_end(self.i)
                raw = self.text[self.i : end]
                parts.append(tomllib.loads(f"k = {raw}")["k"])
                self.i = end
            else:
                match = self._BARE_KEY.match(self.text, self.i)
                if match is None:
                    raise ValueError("no key")
                parts.append(match[0])
                self.i = match.end()
            self.skip(newlines=False)
            if self.text[self.i] != ".":
                return parts
            self.i += 1

    def pair(self, table: Path_) -> None:
        start = self.i
        keys = self.key()
        for depth in range(1, len(keys) + 1):
            self.place((*table, *keys[:depth]), start)
        self.i = self.text.index("=", self.i) + 1
        self.skip(newlines=False)
        self.value((*table, *keys))

    def value(self, path: Path_) -> None:
        text, char = self.text, self.text[self.i]
        if char in "\"'":
            self.i = self.string_end(self.i)
        elif char == "[":
            self.i += 1
            index = 0
            while True:
                self.skip(newlines=True)
                if text[self.i] == "]":
                    self.i += 1
                    return
                if text[self.i] == ",":
                    self.i += 1
                    continue
                self.place((*path, index), self.i)
                self.value((*path, index))
                index += 1
        elif char == "{":
            self.i += 1
            while True:
                self.skip(newlines=False)
                if text[self.i] == "}":
                    self.i += 1
                    return
                if text[self.i] == ",":
                    self.i += 1
                    continue
                self.pair(path)
        else:
            match = self._SCALAR_END.search(text, self.i)
            self.i = match.start() if match else len(text)

    def string_end(self, start: int) -> int:
        """The index just past the string that opens at `start`."""
        text = self.text
        quote = text[start]
        if text.startswith(quote * 3, start):
            end = start + 3
            while True:
                end = text.index(quote * 3, end)
                if quote == "'" or not _escaped(text, end):
                    end += 3
                    while text.startswith(quote, end):  # up to two quotes end the content
                        end += 1
                    return end
                end += 1
        end = start + 1
        while True:
            end = text.index(quote, end)
            if quote == "'" or not _escaped(text, end):
                return end + 1
            end += 1


def _escaped(text: str, index: int) -> bool:
    """Whether the character at `index` follows an odd number of backslashes."""
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def value_problem(data: Any, path: Path_ = ()) -> tuple[Path_, str] | None:
    """The first value no schema may hold (nesting past MAX_DEPTH, a number that is not finite
    or too long to be meant), with its key path; None when there is none.

    YAML is held to the same rules as it is built (`_Builder`); TOML is checked after parsing.
    """
    if len(path) > MAX_DEPTH:
        return path, f"document nested deeper than {MAX_DEPTH} levels"
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        message = number_problem(data)
        return (path, message) if message else None
    for key, value in items:
        problem = value_problem(value, (*path, key))
        if problem is not None:
            return problem
    return None


def number_problem(value: Any) -> str | None:
    """Why `value` cannot be a number in a schema: not finite (`nan`, `inf`, `1e999`), or more
    digits than any bound needs. None for every other value."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"the number {value} is not finite; schemas hold finite numbers only"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_DIGITS:
        return f"the number has more than {MAX_DIGITS} digits"
    return None


def _toml_position(message: str) -> tuple[int | None, int | None]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match[1]), int(match[2])) if match else (None, None)


def load_yaml(text: str, name: str) -> Document:
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or exc.context or "syntax error"
        raise LoadError(Diagnostic(name, line, column, (), f"invalid YAML: {problem}")) from None
    except yaml.YAMLError as exc:
        raise LoadError(Diagnostic(name, message=f"invalid YAML: {exc}")) from None
    document = Document(name, None, {}, "yaml")
    if node is not None:
        document.data = _Builder(document).build(node, ())
    return document


class _Builder:
    """Turns composed YAML nodes into plain data with positions.

    Done by hand rather than with PyYAML's constructor so that: keys get positions; duplicate
    keys are errors; YAML 1.1 surprises (`on`, `yes`, `no` as booleans; dates) stay strings; and
    alias expansion is bounded.
    """

    def __init__(self, document: Document):
        self.document = document
        self.nodes = 0

    def fail(self, node: yaml.Node, path: Path_, message: str) -> LoadError:
        mark = node.start_mark
        return LoadError(
            Diagnostic(self.document.file, mark.line + 1, mark.column + 1, path, message)
        )

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node, path, f"document too large: more than {MAX_NODES} nodes (after aliases)"
            )
        if len(path) > MAX_DEPTH:
            raise self.fail(node, path, f"document nested deeper than {MAX_DEPTH} levels")
        self.document.positions.setdefault(
            path, (node.start_mark.line + 1, node.start_mark.column + 1)
        )
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self.scalar(node)
        problem = number_problem(value)
        if problem is not None:
            raise self.fail(node, path, problem)
        return value

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged.update(self.merge_source(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "mapping keys must be plain strings")
            key = str(key_node.value)
            if key in result:
                first = self.document.positions.get((*path, key))
                where = f" (first defined on line {first[0]})" if first else ""
                raise self.fail(key_node, (*path, key), f"duplicate key '{key}'{where}")
            # Key positions point at the key, which is where an editor should jump.
            self.document.positions[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.build(value_node, (*path, key))
        return {**merged, **result}

    def merge_source(self, node: yaml.Node, path: Path_) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        # Merged keys are positioned at their anchor, but never over a key written here, which
        # may come before the `<<` line.
        outer, self.document.positions = self.document.positions, {}
        try:
            for source in reversed(sources):
                value = self.build(source, path)
                if not isinstance(value, dict):
                    raise self.fail(source, path, "a merge key (<<) needs a mapping")
                merged.update(value)
        finally:
            scratch, self.document.positions = self.document.positions, outer
        for key_path, position in scratch.items():
            outer.setdefault(key_path, position)
        return merged

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> Any:
        value = node.value
        if node.style:  # quoted or block scalars are always strings
            return value
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            lowered = value.lower()
            return {"true": True, "false": False}.get(lowered, value)
        if tag == "tag:yaml.org,2002:int" and _INT.fullmatch(value):
            digits = value.replace("_", "")
            # int() refuses more than 4300 digits with a ValueError; the number is refused anyway.
            return int(digits) if len(digits) <= MAX_DIGITS + 1 else 10**MAX_DIGITS
        if tag == "tag:yaml.org,2002:float" and _FLOAT.fullmatch(value):
            return float(value.replace("_", ""))
        return value
