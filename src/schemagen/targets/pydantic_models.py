"""`pydantic` target: `backend/<package>/schemas/`, the API's Pydantic v2 models.

One module per resource (`schemas/<resource>.py`), the helpers they share in `schemas/_shared.py`,
and `schemas/__init__.py`: which module defines which name, imported the first time the name is
read (`schemas.OfficeRead`), so a request loads the models of the resources it reaches only.

The models are made by datamodel-code-generator, called as a library on the `jsonschema` target's
documents: per resource `<Model>Create`, `<Model>Update` (every field optional), `<Model>Read`,
`<Model>Page` and one `<Model><Action>Input` per custom action, with every constraint of the
schema (lengths, bounds, pattern, enum, decimal precision as `multiple_of` plus bounds).

Before the call the documents are rewritten into equivalent JSON Schema that the generator turns
into plain annotations:
- a nullable value, `anyOf: [X, {"type": "null"}]`, becomes X with `type: [X.type, "null"]`, so
  the field reads `int | None` with its constraints instead of a wrapper class per field;
- a URL is a string with a scheme pattern and its maxLength: the generator's AnyUrl would drop the
  length limit and normalise what the user sent;
- an optional property that is not nullable gets `default: null`, which the generator (with
  `strict_nullable`) turns into `x: T = None`: leaving it out is allowed, sending `null` is not,
  as the document says. Pydantic never validates a default, so "not sent" stays None. The field
  is then written `x: Annotated[T | None, NotNull, ...] = None`, the type a type checker needs
  for that default, while NotNull validates what is sent as T alone (null refused with T's own
  error) and keeps null out of the document.

The generator is slow to import and to run (about 0.1 s a resource after a second of warm-up), so
it is imported only when this target runs, called once per resource, and each result is cached by
the hash of its input and options under `.schemagen/cache/`: a rebuild after editing one resource
runs it for that resource only, a no-op build not at all. No timestamp header, no formatter of its
own: the one ruff pass of the build formats the result with everything else.
"""

from __future__ import annotations

import ast
import copy
import functools
import hashlib
import io
import json
import re
import tokenize
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.literals import py_docstring
from schemagen.render import with_header
from schemagen.targets.base import SCHEMAS_SHARED_MODULE, RenderContext, Target
from schemagen.types.url import PATTERN as URL_PATTERN

ROOT_CLASS = "SchemagenRoot"  # the generator always makes a model of the document's root: dropped

SHARED_MODULE = SCHEMAS_SHARED_MODULE
INIT_DOCSTRING = """\"\"\"The API's Pydantic models: Create, Update, Read, Page and action inputs, one module per
resource, made by datamodel-code-generator from jsonschema/<resource>.json.

`schemas.<Name>` imports the module that defines it the first time it is read: a request loads the
models of the resources it reaches, not all of them. The helpers the modules share are in
`_shared`.
\"\"\"
"""
SHARED_DOCSTRING = (
    '"""What the models of every resource share: their base and the JSON-only field types."""\n'
)


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    documents = {f.path: json.loads(f.content) for f in context.outputs.get("jsonschema", [])}
    chunks = []
    for resource in project.resources:
        document = documents[f"jsonschema/{resource.name}.json"]
        stripped, docs = without_descriptions(normalize({"$defs": document["$defs"]}))
        chunks.append(with_docstrings(generate_cached(stripped, context.cache_dir), docs))
    shared, modules = split(chunks)
    base = f"backend/{project.package}/schemas"
    files = {f"{base}/{SHARED_MODULE}.py": SHARED_DOCSTRING + "\n" + shared}
    names: list[tuple[str, str]] = [(DEFERRED, SHARED_MODULE)]
    for resource, (defined, text) in zip(project.resources, modules, strict=True):
        doc = f"The `{resource.name}` resource's models."
        files[f"{base}/{resource.name}.py"] = py_docstring(doc) + "\n\n" + text
        names += [(name, resource.name) for name in defined]
    files[f"{base}/__init__.py"] = INIT_DOCSTRING + "\n" + lazy_package(sorted(names))
    return [
        RenderedFile(path, with_header(path, text, context.schemas_label))
        for path, text in files.items()
    ]


def lazy_package(names: list[tuple[str, str]]) -> str:
    """The package's `__init__`: each name typed for checkers, imported from its module on use."""
    table = "".join(f"    {name!r}: {module!r},\n" for name, module in names)
    typed = "".join(f"    from .{module} import {name} as {name}\n" for name, module in names)
    return (
        "import importlib\nfrom typing import TYPE_CHECKING\n\n"
        "# Each name this package hands out, and the module (beside this file) that defines it.\n"
        f"MODULES = {{\n{table}}}\n\n"
        f"if TYPE_CHECKING:\n{typed}"
        "else:\n\n"
        "    def __getattr__(name: str) -> object:\n"
        '        """`schemas.<name>`: imported from its module on first use, then kept here."""\n'
        "        module = MODULES.get(name)\n"
        "        if module is None:\n"
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
        '        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)\n'
        "        globals()[name] = value\n"
        "        return value\n"
    )


# ---------------------------------------------------------------------------------------------
# The input: equivalent JSON Schema the generator maps to plain annotations


def normalize(schema: Any) -> Any:
    """A copy of `schema` with nullable unions as type lists and URLs as patterned strings."""
    if isinstance(schema, list):
        return [normalize(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: normalize(value) for key, value in schema.items()}
    options = result.get("anyOf")
    if (
        isinstance(options, list)
        and len(options) == 2
        and options[1] == {"type": "null"}
        and isinstance(options[0].get("type"), str)
    ):
        inner = dict(options[0])
        del result["anyOf"]
        inner["type"] = [inner["type"], "null"]
        if "enum" in inner:
            inner["enum"] = [*inner["enum"], None]
        result = {**inner, **result}
    if result.get("format") == "uri":
        del result["format"]
        result.setdefault("pattern", URL_PATTERN)
    properties = result.get("properties")
    if result.get("type") == "object" and isinstance(properties, dict):
        required = set(result.get("required", ()))
        for name, shape in properties.items():
            if name not in required and "default" not in shape and not _nullable(shape):
                shape["default"] = None
    return result


def _nullable(shape: dict[str, Any]) -> bool:
    """Whether the document lets the value be null (a shape without a type allows anything)."""
    kind = shape.get("type")
    if isinstance(kind, list):
        return "null" in kind
    if kind is not None:
        return kind == "null"
    options = shape.get("anyOf") or shape.get("oneOf")
    if options:
        return any(isinstance(o, dict) and _nullable(o) for o in options)
    if "enum" in shape:
        return None in shape["enum"]
    if "const" in shape:
        return shape["const"] is None
    return "$ref" not in shape


# ---------------------------------------------------------------------------------------------
# Descriptions: written by us, never by the generator

# The generator writes a description as an attribute or class docstring with escaping of its own
# that is neither faithful (it re-flows line breaks) nor safe: it splits on every Unicode line
# terminator and re-indents, so a description holding U+2028 or \x0b ended the docstring and the
# rest of it became code. It therefore only ever sees a placeholder; each docstring is then
# written by `literals.py_docstring`.
_PLACEHOLDER = "SchemagenDescription{:04d}"
_PLACEHOLDER_DOCSTRING = re.compile(r'"""\s*SchemagenDescription(\d+)\s*"""')
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
_DATA = ("default", "const", "enum", "examples")


def without_descriptions(schema: Any) -> tuple[Any, list[str]]:
    """A copy of `schema` whose descriptions are numbered placeholders, and the descriptions."""
    found: list[str] = []

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                result[key] = _PLACEHOLDER.format(len(found))
                found.append(value)
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                result[key] = {name: walk(member) for name, member in value.items()}
            elif key in _DATA:
                result[key] = value
            else:
                result[key] = walk(value)
        return result

    return walk(schema), found


def with_docstrings(code: str, descriptions: list[str]) -> str:
    """`code` with each placeholder docstring replaced by the real one (found as a whole STRING
    token, so a placeholder-like text inside some other literal is never touched)."""
    lines = io.StringIO(code).readlines()  # split as tokenize counts rows: at "\n" only
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        match = token.type == tokenize.STRING and _PLACEHOLDER_DOCSTRING.fullmatch(token.string)
        if match:
            (row, col), (end_row, end_col) = token.start, token.end
            indent = " " * col
            text = py_docstring(descriptions[int(match[1])], indent=indent)
            edits.append((offsets[row - 1] + col, offsets[end_row - 1] + end_col, text))
    for start, end, text in reversed(edits):
        code = code[:start] + text + code[end:]
    return code


# ---------------------------------------------------------------------------------------------
# The call, cached


def generator_options() -> dict[str, Any]:
    from datamodel_code_generator import DataModelType, InputFileType, PythonVersion

    return {
        "input_file_type": InputFileType.JsonSchema,
        "output_model_type": DataModelType.PydanticV2BaseModel,
        "target_python_version": PythonVersion.PY_311,
        "formatters": [],
        "disable_timestamp": True,
        "class_name": ROOT_CLASS,
        "field_constraints": True,
        "strict_nullable": True,  # a default does not make a field nullable (see normalize)
        "use_annotated": True,
        "use_standard_collections": True,
        "use_union_operator": True,
        "use_field_description": True,
        "use_double_quotes": True,
        "keep_model_order": True,
        "enum_field_as_literal": "all",
        "naming_strategy": "parent-prefixed",  # inline models are named after their parent: no clashes
        "deserialize_default_values": ["decimal"],
        "type_mappings": ["string+uri=string"],
    }


@functools.cache
def _cache_salt() -> str:
    """What besides the input decides the output: the generator's version and this module (its options)."""
    try:
        version = metadata.version("datamodel-code-generator")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "?"
    return f"{version}:{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"


def generate_cached(document: dict[str, Any], cache_dir: Path | None) -> str:
    """The generator's output for one document, from the cache when the same input ran before."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256(f"{_cache_salt()}\0{text}".encode()).hexdigest()
    cached = cache_dir / "pydantic" / f"{key}.py" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return cached.read_text(encoding="utf-8")
    output = generate(document)
    if cached is not None:
        _store(cached, output)
    return output


def generate(document: dict[str, Any]) -> str:
    """Run datamodel-code-generator on one document (imported here: it is slow to import)."""
    from datamodel_code_generator import generate as dmcg_generate

    with warnings.catch_warnings():
        # It warns about what it cannot express; the shapes here avoid those cases on purpose.
        warnings.simplefilter("ignore")
        output = dmcg_generate(copy.deepcopy(document), **generator_options())
    if not isinstance(output, str):  # pragma: no cover - one document gives one module
        raise TypeError("datamodel-code-generator returned several modules for one document")
    return output


def _store(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parents[1] / ".gitignore"
        if not ignore.exists():
            ignore.write_text(
                "# schemagen's cache: safe to delete, never to commit\n*\n", encoding="utf-8"
            )
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time


# ---------------------------------------------------------------------------------------------
# One module from the per-resource outputs


def _parse(chunk: str) -> tuple[dict[str, set[str]], set[str], list[tuple[ast.stmt, str]]]:
    """A chunk's `from` imports (module -> names), plain imports and other statements."""
    modules: dict[str, set[str]] = {}
    plain: set[str] = set()
    bodies: list[tuple[ast.stmt, str]] = []
    tree = ast.parse(chunk)
    # Split where ast counts lines, at "\n" (the chunk holds no raw "\r"): str.splitlines
    # would also split at U+2028, \x0b, \x1c ... and cut a class short.
    lines = io.StringIO(chunk).readlines()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "__future__":
                continue
            modules.setdefault(node.module, set()).update(
                a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names
            )
        elif isinstance(node, ast.Import):
            plain.update(a.name for a in node.names)
        elif isinstance(node, ast.ClassDef) and node.name == ROOT_CLASS:
            continue
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and node is tree.body[0]
        ):
            continue  # a module docstring
        else:
            start = node.lineno - 1
            if isinstance(node, ast.ClassDef) and node.decorator_list:
                start = node.decorator_list[0].lineno - 1
            assert node.end_lineno is not None
            bodies.append(
                (node, _json_types(node, lines[start : node.end_lineno], start).rstrip() + "\n")
            )
            # Attribute docstrings follow their field inside the class: part of the class's span.
    return modules, plain, bodies


def _ordered(bodies: list[tuple[ast.stmt, str]]) -> tuple[str, bool]:
    """The statements as text, each after those it names where possible (else postponed: True),
    every model on the deferred base."""
    ordered = _defined_before_use(bodies)
    text = "\n\n".join(ordered if ordered is not None else [body for _, body in bodies])
    text = re.sub(r"^(class \w+)\(BaseModel\):", rf"\1({DEFERRED}):", text, flags=re.MULTILINE)
    return text, ordered is None


def _import_lines(modules: dict[str, set[str]], plain: set[str], postponed: bool) -> list[str]:
    # Annotations evaluated as the classes are made: Pydantic need not compile and evaluate
    # 10,000 annotation strings at import. Only a cycle between classes needs them postponed.
    imports = ["from __future__ import annotations", ""] if postponed else []
    imports += [f"import {name}" for name in sorted(plain)]
    imports += [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(modules.items())
    ]
    return imports


def merge(chunks: list[str]) -> str:
    """One module: the union of every chunk's imports, then every chunk's classes in order."""
    modules: dict[str, set[str]] = {}
    plain: set[str] = set()
    bodies: list[tuple[ast.stmt, str]] = []
    for chunk in chunks:
        chunk_modules, chunk_plain, chunk_bodies = _parse(chunk)
        for module, names in chunk_modules.items():
            modules.setdefault(module, set()).update(names)
        plain |= chunk_plain
        bodies += chunk_bodies
    text, postponed = _ordered(bodies)
    prelude = _prelude(text, modules, plain)
    return "\n".join(_import_lines(modules, plain, postponed)) + "\n\n" + prelude + "\n" + text


def split(chunks: list[str]) -> tuple[str, list[tuple[list[str], str]]]:
    """The shared module (the helpers any chunk uses), and per chunk the names it defines and its
    module: its own imports, the helpers it uses from the shared module, its classes."""
    texts = []
    for chunk in chunks:
        modules, plain, bodies = _parse(chunk)
        text, postponed = _ordered(bodies)
        texts.append((modules, plain, bodies, text, postponed))
    modules, plain = {}, set()
    prelude = _prelude("\n\n".join(t[3] for t in texts), modules, plain)
    shared_names = _top_level_names(prelude)
    shared = "\n".join(_import_lines(modules, plain, False)) + "\n\n" + prelude
    result = []
    for chunk_modules, chunk_plain, bodies, text, postponed in texts:
        used = [name for name in shared_names if re.search(rf"\b{re.escape(name)}\b", text)]
        # What the rewritten fields need (Annotated with NotNull, ...): more than the chunk's
        # own imports; the build's ruff pass drops what the module does not use.
        _prelude(text, chunk_modules, chunk_plain)
        imports = _import_lines(chunk_modules, chunk_plain, postponed)
        if used:
            imports.append(f"from .{SHARED_MODULE} import {', '.join(sorted(used))}")
        defined = [node.name for node, _ in bodies if isinstance(node, ast.ClassDef)]
        result.append((defined, "\n".join(imports) + "\n\n\n" + text))
    return shared, result


def _top_level_names(code: str) -> list[str]:
    """The names a module's code defines at its top level (functions, classes, assignments)."""
    names = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _prelude(text: str, modules: dict[str, set[str]], plain: set[str]) -> str:
    """The helpers `text` uses, and what they import added to `modules` and `plain`."""
    prelude = ""
    used = [name for name in JSON_TYPES.values() if re.search(rf"\b{name}\b", text)]
    if used:
        modules.setdefault("typing", set()).add("Annotated")
        modules.setdefault("pydantic", set()).add("BeforeValidator")
    whole = "JsonInt" in used or "BeforeValidator(_whole)" in text
    if whole:
        modules.setdefault("typing", set()).add("Annotated")
        modules.setdefault("pydantic", set()).add("BeforeValidator")
        prelude += JSON_INT
    if re.search(r"\bNotNull\b", text):
        modules.setdefault("typing", set()).update({"Annotated", "Any"})
        modules.setdefault("pydantic", set()).add("GetCoreSchemaHandler")
        modules.setdefault("pydantic_core", set()).add("CoreSchema")
        prelude += NOT_NULL
    if "_decimal_number" in text:
        modules.setdefault("typing", set()).add("Any")
        modules.setdefault("decimal", set()).add("Decimal")
        prelude += DECIMAL_NUMBER
    if set(used) & set(ISO):
        plain.add("re")
        prelude += ISO_CHECK + "\n"
    if set(used) & set(ISO):
        # _iso's signature names date and time, whichever of them the fields use.
        modules.setdefault("datetime", set()).update({"date", "datetime", "time"})
    for name in used:
        if name in ISO:
            base, pattern, shape = ISO[name]
            if base == "AwareDatetime":
                modules.setdefault("pydantic", set()).add(base)
            prelude += (
                f"{name} = Annotated[{base}, _iso({PARSERS[base]}, {pattern!r}, {shape!r})]\n"
            )
    if re.search(r"\bEmailStr\b", text):
        plain.add("email_validator")
        prelude += EMAIL
    if DEFERRED in text:
        modules.setdefault("pydantic", set()).update({"BaseModel", "ConfigDict"})
        prelude += DEFERRED_MODEL
    return prelude


def _defined_before_use(bodies: list[tuple[ast.stmt, str]]) -> list[str] | None:
    """The statements in an order where each comes after those it names (a Page after its Read),
    else in their own order; None when names form a cycle (annotations must then be postponed)."""
    defined: dict[str, int] = {}
    for index, (node, _) in enumerate(bodies):
        if isinstance(node, ast.ClassDef):
            defined[node.name] = index
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update((t.id, index) for t in targets if isinstance(t, ast.Name))
    needs = [
        sorted(
            {defined[n.id] for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defined}
            - {index}
        )
        for index, (node, _) in enumerate(bodies)
    ]
    placed: list[int] = []
    state: dict[int, str] = {}

    def place(index: int) -> bool:
        if state.get(index) == "placed":
            return True
        if state.get(index) == "placing":
            return False  # a cycle
        state[index] = "placing"
        if not all(place(other) for other in needs[index]):
            return False
        state[index] = "placed"
        placed.append(index)
        return True

    if not all(place(index) for index in range(len(bodies))):
        return None
    return [bodies[index][1] for index in placed]


# Every model validates and serializes with a core schema Pydantic builds when the model is first
# used, not when the module is imported: a request builds only the models it touches.
DEFERRED = "DeferredModel"
DEFERRED_MODEL = f'''

class {DEFERRED}(BaseModel):
    """The base of every model here: its validator is built when first used, not at import (an app
    of hundreds of resources starts without building them all)."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Made deferred; used, built at once: FastAPI's validators of a route (TypeAdapters, which
        # read the model's config) are then built with the route, as for any model.
        cls.model_config = {{**cls.model_config, "defer_build": False}}
'''


# The API validates bodies strictly as JSON (runtime.http.parse_json); the document needs help there in
# three places: JSON Schema's integer includes 1.0, a date or time is its ISO text only (Pydantic
# reads "0" as 1970-01-01 even in strict mode), and format "email" is syntax only.
JSON_TYPES = {
    "int": "JsonInt",
    "date": "JsonDate",
    "AwareDatetime": "JsonDatetime",
    "time": "JsonTime",
}
JSON_INT = '''

def _whole(value: object) -> object:
    """JSON Schema counts 1.0 as an integer: a whole float is that integer (strict mode refuses it)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInt = Annotated[int, BeforeValidator(_whole)]
'''
DECIMAL_NUMBER = '''

def _decimal_number(schema: dict[str, Any]) -> None:
    """A decimal in the document: a JSON number with the field's bounds (Pydantic also offers a
    string, which would carry none of them), its default a number too."""

    def number_only(node: dict[str, Any]) -> None:
        branches = node.get("anyOf")
        if not isinstance(branches, list):
            return
        if any(isinstance(b, dict) and b.get("type") == "number" for b in branches):
            branches[:] = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "string")]
        for branch in branches:
            if isinstance(branch, dict):
                number_only(branch)
        if len(branches) == 1:
            node.pop("anyOf")
            node.update(branches[0])

    number_only(schema)
    default = schema.get("default")
    if isinstance(default, str):
        value = Decimal(default)
        schema["default"] = int(value) if value == value.to_integral_value() else float(value)
'''
ISO = {
    "JsonDate": ("date", r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD"),
    "JsonDatetime": (
        "AwareDatetime",
        r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})",
        "an RFC 3339 date-time with its offset",
    ),
    "JsonTime": ("time", r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?", "HH:MM[:SS]"),
}
PARSERS = {"date": "date", "AwareDatetime": "datetime", "time": "time"}
ISO_CHECK = '''

def _iso(kind: type[date] | type[time], pattern: str, shape: str) -> BeforeValidator:
    """Only the ISO text, read here: Pydantic would read a number or a numeric text as a timestamp."""
    compiled = re.compile(pattern)

    def parse(value: object) -> object:
        if isinstance(value, kind):
            return value
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"expected {shape}")
        return kind.fromisoformat(value.upper() if kind is not time else value)

    return BeforeValidator(parse)
'''
NOT_NULL = '''

class _NotNull:
    """`Annotated[X | None, NotNull, ...] = None`: a field that may be left out, never sent as null.
    None is its default only, "not sent" (Pydantic never validates a default), hence `X | None`
    for type checkers; what is sent is validated as X alone, so null is refused as X refuses it,
    and the document shows X."""

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        if schema["type"] != "nullable":  # written right after `X | None`, before any validator
            raise TypeError(f"NotNull must follow X | None, not {source}")
        inner: CoreSchema = schema["schema"]
        return inner


NotNull = _NotNull()
'''
EMAIL = """
# An address is checked for its syntax, as format "email" says: test and other special-use
# domains (name@host.test) are addresses too.
email_validator.SPECIAL_USE_DOMAIN_NAMES = []
"""


# What follows the constraints of an `Annotated[<scalar>, Field(...)]` field: for an integer the
# whole-float check (instead of the JsonInt name); for a decimal the document's number without
# Pydantic's string alternative (the API sends decimals as numbers, and a string in the document
# would carry none of the field's bounds).
CONSTRAINED = {
    "int": ", BeforeValidator(_whole)",
    "Decimal": ", Field(json_schema_extra=_decimal_number)",
}


def _constrained(annotation: ast.expr) -> tuple[ast.Name, ast.expr] | None:
    """(the scalar, the last metadata) of `Annotated[int | None, Field(...)]` and the like."""
    if not (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
        and len(annotation.slice.elts) >= 2
    ):
        return None
    inner = annotation.slice.elts[0]
    if isinstance(inner, ast.BinOp) and isinstance(inner.right, ast.Constant):
        inner = inner.left  # `int | None`
    if isinstance(inner, ast.Name) and inner.id in CONSTRAINED:
        return inner, annotation.slice.elts[-1]
    return None


def _any_or_none(node: ast.AST) -> bool:
    """`Any | None` on one line."""
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.BitOr)
        and isinstance(node.left, ast.Name)
        and node.left.id == "Any"
        and isinstance(node.right, ast.Constant)
        and node.right.value is None
        and node.lineno == node.end_lineno
    )


def _admits_none(node: ast.expr) -> bool:
    """Whether the annotation `node` lets the value be None."""
    if isinstance(node, ast.Constant):
        return node.value is None
    if isinstance(node, ast.Name):
        return node.id in ("Any", "None")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _admits_none(node.left) or _admits_none(node.right)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if node.value.id == "Optional":
            return True
        if node.value.id == "Literal":
            return any(isinstance(e, ast.Constant) and e.value is None for e in elements)
        if node.value.id == "Annotated":
            return _admits_none(elements[0])
    return False


def _not_null(statement: ast.AnnAssign, first: int) -> list[tuple[int, int, int, str]]:
    """`x: T = None` with T refusing None (left out is allowed, null sent is not) written
    `x: Annotated[T | None, NotNull] = None`: the type its default needs, the validation of T."""
    default = statement.value
    annotation = statement.annotation
    if not (isinstance(default, ast.Constant) and default.value is None):
        return []
    if _admits_none(annotation):
        return []
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        inner = annotation.slice.elts[0]
        assert inner.end_lineno is not None and inner.end_col_offset is not None
        end = inner.end_col_offset
        return [(inner.end_lineno - 1 - first, end, end, " | None, NotNull")]
    assert annotation.end_lineno is not None and annotation.end_col_offset is not None
    start, end = annotation.col_offset, annotation.end_col_offset
    return [
        (annotation.end_lineno - 1 - first, end, end, " | None, NotNull]"),
        (annotation.lineno - 1 - first, start, start, "Annotated["),
    ]


# A default the generator writes as the document's text, made the value the field holds (the
# document shows it as the same text): `opens_at: time = "09:30:00"` would hold a str.
TEXT_DEFAULTS = {
    "date": "date.fromisoformat",
    "time": "time.fromisoformat",
    "AwareDatetime": "datetime.fromisoformat",
    "UUID": "UUID",
}


def _typed_default(statement: ast.AnnAssign, first: int) -> list[tuple[int, int, int, str]]:
    """`x: time = "09:30:00"` written `x: time = time.fromisoformat("09:30:00")`."""
    default = statement.value
    annotation = statement.annotation
    if not (isinstance(default, ast.Constant) and isinstance(default.value, str)):
        return []
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        annotation = annotation.slice.elts[0]
    if not (isinstance(annotation, ast.Name) and annotation.id in TEXT_DEFAULTS):
        return []
    assert default.end_col_offset is not None and default.lineno == default.end_lineno
    row = default.lineno - 1 - first
    text = f"{TEXT_DEFAULTS[annotation.id]}({ast.unparse(default)})"
    return [(row, default.col_offset, default.end_col_offset, text)]


def _json_types(node: ast.stmt, lines: list[str], first: int) -> str:
    """The class's source with the types of JSON_TYPES in field annotations renamed (JsonInt, ...),
    `Any | None` written `Any`, a field that may be left out but not be null typed for its None
    default (`_not_null`), and a default given as text made a value of the field's type."""
    if not isinstance(node, ast.ClassDef):
        return "".join(lines)
    edits = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign):
            edits.extend(_not_null(statement, first))
            edits.extend(_typed_default(statement, first))
            constrained = _constrained(statement.annotation)
            if constrained is not None:
                # `Annotated[int, Field(ge=0)]`: the check goes after the constraints, so that
                # Pydantic puts them into the JSON Schema as minimum/maximum (around a
                # validator they would stay raw `ge`/`le`, keywords no JSON Schema knows).
                scalar, last = constrained
                end = last.end_col_offset
                assert last.end_lineno is not None and end is not None
                edits.append((last.end_lineno - 1 - first, end, end, CONSTRAINED[scalar.id]))
            for name in ast.walk(statement.annotation):
                if _any_or_none(name):
                    # `Any` holds null already: `Any | None` would be an anyOf whose first
                    # branch is the empty schema, which matches anything (and says nothing).
                    assert isinstance(name, ast.BinOp) and name.end_col_offset is not None
                    row = name.lineno - 1 - first
                    edits.append((row, name.col_offset, name.end_col_offset, "Any"))
                    continue
                if constrained is not None and name is constrained[0]:
                    continue
                if isinstance(name, ast.Name) and name.id in JSON_TYPES:
                    assert name.end_col_offset is not None
                    edits.append(
                        (
                            name.lineno - 1 - first,
                            name.col_offset,
                            name.end_col_offset,
                            JSON_TYPES[name.id],
                        )
                    )
    lines = list(lines)
    for row, start, end, new in sorted(edits, reverse=True):
        text = lines[row].encode()  # ast offsets count UTF-8 bytes
        lines[row] = (text[:start] + new.encode() + text[end:]).decode()
    return "".join(lines)


TARGET = Target(
    "pydantic",
    render,
    "Pydantic v2 models of the API (Create, Update, Read, Page, action inputs), by datamodel-code-generator",
    requires=("jsonschema",),
)
