"""`schemagen watch` through the real console script: it builds, rebuilds on a save, reports
an error without writing anything, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

from tests.e2e.test_cli import SCHEMAGEN, env
from tests.helpers import read_tree

CONFIG = '[project]\nname = "shop"\ntargets = ["jsonschema"]\n'
BOOK = "resource: book\nfields:\n  title: string(200) required\n"
WAIT = 60  # seconds for one expected line: the machine is shared


def save(path: Path, text: str) -> None:
    """Save as editors do, in one step (a temporary file renamed over it): a plain write is a
    truncate then a write, and on a loaded machine the watch may rebuild between the two."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


class Watch:
    """A running `schemagen watch`, its merged output read line by line in a thread."""

    def __init__(self, cwd: Path) -> None:
        # Started as a terminal starts it, where Ctrl-C interrupts: a test run started in the
        # background by a non-interactive shell ignores SIGINT, and a child inherits an ignored
        # signal (a handled one is reset to the default), so SIGINT is handled while it starts.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.process = subprocess.Popen(
                [str(SCHEMAGEN), "watch", "--quiet-ms", "50"],
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env(),
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def until(self, text: str) -> list[str]:
        """The lines printed up to and including the first that holds `text`."""
        got: list[str] = []
        deadline = time.monotonic() + WAIT
        while True:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    output = "".join(self.seen)
                    raise AssertionError(f"no {text!r} in the output:\n{output}") from None
                continue
            got.append(line)
            self.seen.append(line)
            if text in line:
                return got


def test_watch_rebuilds_on_save_reports_errors_without_writing_and_stops_on_ctrl_c(tmp_path):
    (tmp_path / "schemagen.toml").write_text(CONFIG)
    (tmp_path / "schemas").mkdir()
    book = tmp_path / "schemas" / "book.yaml"
    book.write_text(BOOK)
    schema = tmp_path / "generated" / "jsonschema" / "book.json"
    watch = Watch(tmp_path)
    try:
        assert any("built in" in line for line in watch.until("watching for changes"))
        assert '"isbn"' not in schema.read_text()

        save(book, BOOK + "  isbn: string(13)\n")
        report = watch.until("rebuilt in")
        assert "changed: schemas/book.yaml\n" in report
        assert any("update jsonschema/book.json" in line for line in report)
        assert '"isbn"' in schema.read_text()

        before = read_tree(tmp_path / "generated")
        save(book, BOOK + "  isbn: string(13)\n  pages: integr\n")
        report = watch.until("rebuild failed")
        assert any(
            line.startswith("error schemas/book.yaml:5:3: fields.pages: unknown field type")
            and "did you mean 'integer'?" in line
            for line in report
        ), report
        assert read_tree(tmp_path / "generated") == before

        watch.process.send_signal(signal.SIGINT)
        assert watch.process.wait(timeout=WAIT) == 0
        watch.until("stopped watching")
    finally:
        watch.process.kill()
        watch.process.wait()
    assert "Traceback" not in "".join(watch.seen)
