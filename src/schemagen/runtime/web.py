"""The built web app, served by the API's own process at `/` (same origin: no CORS, no proxy).

`install(app, default)` adds one route after every other: a GET or HEAD of a path outside the
API's own answers the file of that path in the build folder (`WEB_DIST`, else `default`), or the
app's `index.html` when the path names no file, so a reload of `/offices/3` loads the app, whose
router shows that page. The API's own paths (the first segment of any other route: `/api`, the
docs, the document, the health checks) are never answered here, so their 404 and 405 stay the
error contract's JSON. Without a built app (no `index.html` in the folder) nothing is added.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ENVIRONMENT = "WEB_DIST"
INDEX = "index.html"
# Vite names what it writes under assets/ by a hash of the content: a name never changes meaning.
HASHED = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html names the current assets: the browser asks again each time (a 304 when unchanged).
REVALIDATE = "no-cache"


def build_folder(default: Path) -> Path:
    """The folder of the built app: `WEB_DIST` (relative to the working directory) or `default`."""
    configured = os.environ.get(ENVIRONMENT, "").strip()
    return Path(configured) if configured else default


class SinglePageFiles(StaticFiles):
    """The build folder's files; `index.html` for a path that names none (the app's routes)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            # A missing file (a name with an extension, `assets/old.js`) stays a 404: answering
            # HTML for a script would fail in the browser far from the cause.
            if error.status_code != 404 or "." in PurePosixPath(path).name:
                raise
            path = INDEX
            response = await super().get_response(path, scope)
        parts = PurePosixPath(path).parts
        if parts and parts[0] == HASHED:
            response.headers["Cache-Control"] = IMMUTABLE
        elif not parts or parts[-1] == INDEX:  # "/" has no parts
            response.headers["Cache-Control"] = REVALIDATE
        return response


class WebAppRoute(Mount):
    """`/` for GET and HEAD, after the app's other routes, leaving the paths they use alone."""

    def __init__(self, folder: Path) -> None:
        super().__init__("/", app=SinglePageFiles(directory=folder, html=True), name="web")
        self._reserved: frozenset[str] | None = None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):  # behind a proxy's prefix: the part routes see
            path = path[len(root) :]
        first = path.lstrip("/").split("/", 1)[0]
        if first in self.reserved(scope["app"]):
            return Match.NONE, {}
        return super().matches(scope)

    def reserved(self, app: Starlette) -> frozenset[str]:
        """The first path segments of the app's other routes: its own routes' (the docs), and
        the document's paths (FastAPI keeps included routers' routes out of `app.routes`).
        Read once, at the first request: the routes are fixed by then."""
        if self._reserved is None:
            paths = [getattr(route, "path", "") for route in app.router.routes if route is not self]
            if isinstance(app, FastAPI):
                paths += list(app.openapi().get("paths", {}))
            firsts = {path.lstrip("/").split("/", 1)[0] for path in paths}
            self._reserved = frozenset(f for f in firsts if f and not f.startswith("{"))
        return self._reserved


def install(app: Starlette, default: Path) -> Path | None:
    """Serve the built app at `/` when its folder holds `index.html`; the folder, or None.

    Call it after every route is added: the web app answers only what they do not.
    """
    folder = build_folder(default)
    if not (folder / INDEX).is_file():
        return None
    app.router.routes.append(WebAppRoute(folder))
    return folder
