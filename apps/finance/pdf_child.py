"""WeasyPrint in a recycled child process, for the bulk renders of the PDF
archive (issue 11: 1,000 invoices under 300 MB).

Every WeasyPrint render keeps about 0.2 MiB of native memory (Pango,
fontconfig, HarfBuzz caches) that the process never gives back, so a web
process rendering 1,000 missing PDFs grows by some 250 MiB (BENCHMARKS.md).
Here the parent builds each document's HTML (templates, database, storage
stay in the parent, inside whatever transaction it is in) and a child Python
process, started with ``python -m apps.finance.pdf_child``, turns HTML into
PDF bytes. The child is replaced after ``FINANCE_PDF_RENDERS_PER_CHILD``
renders (default 100), so the retained memory is returned to the OS with it;
it is also stopped when the archive is done or the download is abandoned.

Wire format on the child's stdin/stdout: a 4-byte big-endian length and the
UTF-8 HTML; the answer is one status byte (0 = PDF, 1 = error text), a
4-byte length and the payload. The child's stray output goes to stderr.
"""

import os
import struct
import subprocess
import sys

LENGTH = struct.Struct(">I")
OK, ERROR = b"\x00", b"\x01"


class PdfRenderError(RuntimeError):
    pass


def _read_exactly(stream, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError("the PDF child process closed its pipe")
        data += chunk
    return data


class ChildPdfRenderer:
    """``to_pdf(html) -> bytes`` served by a child process, replaced every
    ``renders_per_child`` renders. Use as a context manager (or call close())."""

    def __init__(self, *, renders_per_child: int | None = None):
        from django.conf import settings

        self.renders_per_child = max(1, renders_per_child or settings.FINANCE_PDF_RENDERS_PER_CHILD)
        self.settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
        self.base_dir = str(settings.BASE_DIR)
        self._process: subprocess.Popen | None = None
        self._spare: subprocess.Popen | None = None  # the next child, starting up while this one renders
        self._renders = 0
        self.children_started = 0

    def _spawn(self) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": self.settings_module, "PYTHONUNBUFFERED": "1"}
        self.children_started += 1
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "apps.finance.pdf_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=self.base_dir,
            env=env,
        )

    def _start(self) -> subprocess.Popen:
        self._process, self._spare = self._spare or self._spawn(), None
        self._renders = 0
        return self._process

    def _stop(self, which: str = "_process") -> None:
        process = getattr(self, which)
        setattr(self, which, None)
        if process is None:
            return
        try:
            process.stdin.close()  # the child's loop ends on EOF
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            process.stdout.close()

    def __call__(self, html: str) -> bytes:
        if self._process is not None and self._renders >= self.renders_per_child:
            self._stop()
        process = self._process or self._start()
        assert process.stdin is not None and process.stdout is not None  # started with PIPEs
        data = html.encode("utf-8")
        try:
            process.stdin.write(LENGTH.pack(len(data)) + data)
            process.stdin.flush()
            status = _read_exactly(process.stdout, 1)
            payload = _read_exactly(process.stdout, LENGTH.unpack(_read_exactly(process.stdout, LENGTH.size))[0])
        except (OSError, EOFError) as exc:
            self._process = None
            process.kill()
            process.wait()
            raise PdfRenderError(f"PDF child process failed: {exc}") from exc
        self._renders += 1
        if self._spare is None and self._renders == (self.renders_per_child + 1) // 2:
            self._spare = self._spawn()  # half way: Python, Django and WeasyPrint start in seconds
        if status != OK:
            raise PdfRenderError(payload.decode("utf-8", "replace"))
        return payload

    def close(self) -> None:
        self._stop()
        self._stop("_spare")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        for process in (self._process, self._spare):
            if process is not None and process.poll() is None:
                process.kill()


def main() -> None:
    """The child: HTML in, PDF out, until the parent closes stdin."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the frames
    source = sys.stdin.buffer
    import django

    django.setup()
    from apps.billing.pdf import html_to_pdf

    html_to_pdf("<p>warm-up</p>")  # fonts and Pango load now, while the parent still uses the previous child
    while True:
        head = source.read(LENGTH.size)
        if len(head) < LENGTH.size:
            return
        html = _read_exactly(source, LENGTH.unpack(head)[0]).decode("utf-8")
        try:
            status, payload = OK, html_to_pdf(html)
        except Exception as exc:  # reported to the parent, which raises it
            status, payload = ERROR, f"{type(exc).__name__}: {exc}"[:2000].encode("utf-8")
        out.write(status + LENGTH.pack(len(payload)) + payload)
        out.flush()


if __name__ == "__main__":
    main()
