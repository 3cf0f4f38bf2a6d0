"""Reading a workbook (XLSX, XLS, ODS) within limits, in a child process that can be stopped.

An XLSX is a zip of XML. A few megabytes can unpack to gigabytes: a 6,9 MB workbook of 1 048 000
rows x 64 copies of one shared string took the import 128 s and 16,7 GB of memory, and on the
Data page the server kept much of it afterwards. So a workbook is never read in the importing
process. A child process does all of it (forked from a helper process that has pandas and the
reader loaded, so a child starts in milliseconds; see ``_ForkHelper``):

1. From the zip's directory, before anything is unpacked: the unpacked size of all its parts
   (``max_unpacked_mb``) and each sheet's declared size, ``<dimension ref="A1:BL1048000">``
   (``max_cells`` over all sheets). Either over its limit: refused at once.
2. A sheet's size can be left out or lie, so a sheet whose XML is big enough to hold more than
   ``max_cells`` cells (15 bytes each, ``<c><v>1</v></c>``: 225 MB at the default) also has its
   cells counted while it is read (a second thread on the unpacked XML, which stops the child as
   soon as the count passes ``max_cells``). A smaller sheet cannot hold too many cells.
3. The reader (``reading._read_xlsx``: calamine through pandas, every cell as text) then runs;
   its grid is checked again (rows x columns, which is what a sheet with cells far apart costs).
4. Meanwhile the parent watches the child: above ``max_memory_mb`` of resident memory or past
   ``timeout_s`` it is killed. A child that dies (the reader aborts on a sheet whose cells span a
   huge area) is a refusal too. Every refusal names the file, the figure and the limit, in
   Indonesian and English.

The grid comes back as an Arrow file, so the importing process holds only the cells it imports
and none of the reader's working memory. The limits are environment variables (the defaults are
in ``WorkbookLimits``; docs/robustness.md explains them).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import importlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.importers.errors import RefusedFile
from analytics.textfmt import fmt_int, fmt_num

MB = 1024 * 1024
_RESULT, _GRID = "result.json", "grid.arrow"
# Modules the child needs, loaded once in the helper: each child then starts in milliseconds
# instead of the ~0,4 s an import of pandas takes.
_PRELOAD = ["analytics.importers.reading", "pandas", "pyarrow", "python_calamine", "pandas.io.excel._calamine"]
_POLL_S = 0.025  # how often the parent looks at the child's memory: ~50 MB of growth at most
_HEAD_BYTES = 65536  # a sheet's <dimension> comes before its cells, within the first few hundred bytes
_CHUNK = 1 << 22  # unpacked bytes per counting step
_MIN_CELL_BYTES = 15  # the shortest cell with a value: <c><v>1</v></c>
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref\s*=\s*["\']\$?([A-Za-z]{1,3})\$?(\d{1,7})'
                        rb'(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?')
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s>/]")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
_REL_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb'([\w.-]+:)?([\w.-]+)\s*=\s*"([^"]*)"')


@dataclasses.dataclass(frozen=True)
class WorkbookLimits:
    """How much one workbook may cost. Each field has an environment variable (``ENV``).

    The three sizes agree: an SP4N-LAPOR! "Laporan Ringkas" (17 columns of inline strings, ~70
    bytes of XML a cell) reaches 1 024 MB at about 900 000 rows, 15 million cells, and reading
    those takes pandas ~270 bytes a cell, about 4 GB. A bigger export goes in as CSV (which also
    imports about eight times faster)."""

    max_cells: int = 15_000_000  # all sheets together; Excel's 1 048 576 rows x 14 columns
    max_unpacked_mb: int = 1024  # all parts of the zip together, unpacked
    max_memory_mb: int = 5120  # the child's resident memory, with 1 GB to spare at the limits above
    timeout_s: float = 300.0  # a legitimate workbook of that size reads in about a minute

    ENV = {
        "max_cells": "PANTAU_XLSX_MAX_CELLS",
        "max_unpacked_mb": "PANTAU_XLSX_MAX_UNPACKED_MB",
        "max_memory_mb": "PANTAU_XLSX_MAX_MEMORY_MB",
        "timeout_s": "PANTAU_XLSX_TIMEOUT_S",
    }

    @classmethod
    def from_env(cls) -> WorkbookLimits:
        """The defaults, with any limit set in the environment; a value that is not a positive
        number raises ValueError naming the variable."""
        values: dict[str, float] = {}
        for field, var in cls.ENV.items():
            text = os.environ.get(var, "").strip()
            if not text:
                continue
            try:
                value = float(text) if field == "timeout_s" else int(text.replace("_", ""))
            except ValueError:
                value = 0
            if value <= 0:
                raise ValueError(f"{var}={text!r} is not a positive number")
            values[field] = value
        return cls(**values)


def read_workbook(path: Path, reader: Callable[[Path, bytes], tuple[pd.DataFrame, int]],
                  limits: WorkbookLimits | None = None) -> tuple[pd.DataFrame, int]:
    """``reader(path, data)`` (a module-level function: the child looks it up by name) run on
    the workbook at ``path`` in a child process within ``limits`` (default: from the
    environment). Returns its grid and count; raises RefusedFile for what it refused, for a
    workbook over a limit, and for a child that died."""
    limits = limits or WorkbookLimits.from_env()
    out = Path(tempfile.mkdtemp(prefix="pantau-xlsx-"))
    try:
        exitcode = _HELPER.run(reader, path, out, limits)
        return _collect(path, out, exitcode)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None  # no /proc (not Linux): only the time limit applies


class _ForkHelper:
    """A helper process (``python -m analytics.importers.workbook``) that has pandas and the
    reader loaded and forks one child per workbook, so a child starts in milliseconds instead of
    the ~0,4 s a fresh Python needs to import pandas. It is single-threaded, so forking it is
    safe, where forking the threaded dashboard is not; it ends when this process closes the pipe
    (also when this process dies).

    Protocol, one line each: request (JSON) ->, <- child pid, <- exit code (the child is not
    reaped yet, so its pid cannot be reused while this process may still kill it), ack ->."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.pending = b""

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            root = str(Path(__file__).resolve().parents[2])
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
            self.proc = subprocess.Popen([sys.executable, "-m", "analytics.importers.workbook"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=root)
            self.pending = b""
            atexit.register(self.stop)
        return self.proc

    def _line(self, timeout: float | None) -> str | None:
        """The helper's next line, or None if none came within ``timeout`` s."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            if not select.select([fd], [], [], timeout)[0]:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                raise EOFError("the workbook helper stopped")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def run(self, reader: Callable, path: Path, out: Path, limits: WorkbookLimits) -> int:
        """Run the reader on ``path`` in a fresh child, watched; its exit code (negative: the
        signal that ended it). Raises RefusedFile when it had to be killed."""
        request = {"module": reader.__module__, "function": reader.__qualname__, "path": str(Path(path).resolve()),
                   "out": str(out), "limits": dataclasses.asdict(limits)}
        with self.lock:
            proc, pid, ended = self._start(), None, False
            try:
                proc.stdin.write(json.dumps(request).encode() + b"\n")
                proc.stdin.flush()
                pid = int(self._line(None))
                code, stopped = self._watch(pid, limits)
                if stopped:  # over a limit: kill our child, by its pid (still unreaped, so still it)
                    os.kill(pid, signal.SIGKILL)
                    code = int(self._line(None))
                ended = True
                proc.stdin.write(b"ack\n")
                proc.stdin.flush()
            except BaseException as exc:  # out of step (or Ctrl-C): stop the child and the helper
                if pid is not None and not ended:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                self.close()
                if isinstance(exc, (OSError, EOFError, ValueError)):
                    raise RefusedFile(path, f"the workbook cannot be read (helper process: {exc})") from exc
                raise
        if stopped:
            raise RefusedFile(path, stopped)
        return code

    def _watch(self, pid: int, limits: WorkbookLimits) -> tuple[int, str | None]:
        """(exit code, None) once the child ends; (0, why) when it must be stopped."""
        deadline = time.monotonic() + limits.timeout_s
        while True:
            line = self._line(_POLL_S)
            if line is not None:
                return int(line), None
            rss = _rss_bytes(pid)
            if rss is not None and rss > limits.max_memory_mb * MB:
                return 0, _over_memory(limits)
            if time.monotonic() > deadline:
                return 0, _over_time(limits)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # our own helper, by its handle
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        """At exit: end the helper and wait for it, so it leaves no zombie and its children's
        peak memory counts in this process's (the benchmark reads it with os.wait4)."""
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.close()
            self.proc = None


_HELPER = _ForkHelper()


def _over_memory(limits: WorkbookLimits) -> str:
    return _two("membaca buku kerja ini butuh lebih dari {limit} MB memori (batas PANTAU_XLSX_MAX_MEMORY_MB); "
                "pembacaan dihentikan",
                "reading this workbook needed more than {limit} MB of memory (limit PANTAU_XLSX_MAX_MEMORY_MB); "
                "reading was stopped", limit=limits.max_memory_mb)


def _over_time(limits: WorkbookLimits) -> str:
    return _two("membaca buku kerja ini melewati batas waktu {limit} detik (PANTAU_XLSX_TIMEOUT_S); "
                "pembacaan dihentikan",
                "reading this workbook took longer than the limit of {limit} s (PANTAU_XLSX_TIMEOUT_S); "
                "reading was stopped", limit=limits.timeout_s)


def _serve() -> None:
    """The helper's loop (see _ForkHelper): load the reader's modules once, then fork a child per
    request and report its pid and exit code."""
    # The pipes are the protocol: keep them on their own descriptors, and let anything a library
    # prints go to stderr.
    requests, replies = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    os.close(null)
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the CLI, which closes our pipe
    for line in requests:
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(requests.fileno())
                os.close(replies.fileno())
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _die_with_parent()
                reader = getattr(importlib.import_module(req["module"]), req["function"])
                _child(reader, req["path"], req["out"], WorkbookLimits(**req["limits"]))
            finally:
                os._exit(0)
        replies.write(f"{pid}\n".encode())
        replies.flush()
        # Ended but not reaped (WNOWAIT): the pid stays this child's while the parent may still kill
        # it. Meanwhile the parent sends nothing, so a readable pipe means it is gone: so is the child.
        # A pidfd (Linux 5.3) wakes us the moment the child ends; without one, poll.
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        watched = [requests] if pidfd is None else [requests, pidfd]
        while (info := os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG)) is None:
            if requests in select.select(watched, [], [], 0.02 if pidfd is None else 1.0)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
        if pidfd is not None:
            os.close(pidfd)
        code = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        replies.write(f"{code}\n".encode())
        replies.flush()
        requests.readline()  # the ack: the parent will not kill this pid any more
        os.waitpid(pid, 0)


def _die_with_parent() -> None:
    """Linux: this process is killed when the helper dies (the helper is single-threaded, so its
    death is its one thread's)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _collect(path: Path, out: Path, exitcode: int | None) -> tuple[pd.DataFrame, int]:
    try:
        result = json.loads((out / _RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        how = (f"signal {signal.Signals(-exitcode).name}" if exitcode is not None and exitcode < 0
               and -exitcode in signal.valid_signals() else f"exit status {exitcode}")
        raise RefusedFile(path, (
            f"pembaca buku kerja berhenti mendadak ({how}), biasanya karena sel-sel lembarnya tersebar "
            f"di area yang sangat luas / the workbook reader stopped abruptly ({how}), usually a sheet "
            "whose cells span a huge area")) from None
    if "refused" in result:
        raise RefusedFile(path, result["refused"])
    if "error" in result:
        raise RefusedFile(path, f"the workbook cannot be read ({result['error']})")
    # Mapped, not copied: the columns use the file's pages (still there once the file is removed).
    table = pa.ipc.open_file(pa.memory_map(str(out / _GRID))).read_all()
    cols = {i: pd.Series(col.to_pandas(types_mapper={pa.large_string(): _STR}.get), copy=False)
            for i, col in enumerate(table.columns)}
    return pd.DataFrame(cols, copy=False), int(result["cleaned"])


_STR = pd.StringDtype(na_value=float("nan"))  # reading.py's cells: pandas 3's default str dtype


def _two(id_text: str, en_text: str, **figures: float) -> str:
    """One refusal in Indonesian and English, each with its own number format (``1.024`` /
    ``1,024``; ``0,5`` / ``0.5``)."""
    def fmt(v: float, lang: str) -> str:
        return fmt_int(v, lang=lang) if float(v).is_integer() else fmt_num(v, 2, lang=lang).rstrip("0")

    return (id_text.format(**{k: fmt(v, "id") for k, v in figures.items()}) + " / "
            + en_text.format(**{k: fmt(v, "en") for k, v in figures.items()}))


# --- in the child ----------------------------------------------------------------------------

class _Result:
    """The child's one answer, written once: by the reader, or by the counter that stops it."""

    def __init__(self, out: Path):
        self.out, self.lock, self.written = out, threading.Lock(), False

    def write(self, result: dict) -> bool:
        with self.lock:
            if self.written:
                return False
            tmp = self.out / (_RESULT + ".tmp")
            tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.out / _RESULT)
            self.written = True
            return True


def _child(reader: Callable[[Path, bytes], tuple[pd.DataFrame, int]], path_text: str, out_text: str,
           limits: WorkbookLimits) -> None:
    path, result = Path(path_text), _Result(Path(out_text))
    try:
        sheets = check_package(path, limits)
        if sheets:
            threading.Thread(target=_count_cells, args=(path, sheets, limits, result), daemon=True).start()
        grid, cleaned = reader(path, path.read_bytes())
        _check_grid(grid, limits)
        table = pa.table({str(i): _large_strings(grid[c]) for i, c in enumerate(grid.columns)})
        with pa.OSFile(str(Path(out_text) / _GRID), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
        result.write({"cleaned": int(cleaned)})
    except RefusedFile as exc:
        result.write({"refused": exc.problem})
    except BaseException as exc:  # noqa: BLE001 - whatever the reader raised, the parent refuses the file
        result.write({"error": f"{exc.__class__.__name__}: {exc}"})


def _large_strings(col: pd.Series) -> pa.ChunkedArray:
    data = pa.array(col.array)
    data = data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])
    return pc.cast(data, pa.large_string())


def _check_grid(grid: pd.DataFrame, limits: WorkbookLimits) -> None:
    """The sheet as read: a few cells far apart (A1 and Q1000000) make a grid of every cell
    between them."""
    rows, cols = grid.shape
    if rows * cols > limits.max_cells:
        extent = (f"{fmt_int(rows, lang='id')} baris x {fmt_int(cols, lang='id')} kolom",
                  f"{fmt_int(rows, lang='en')} rows x {fmt_int(cols, lang='en')} columns")
        raise RefusedFile("", _cells_problem(("lembar yang dibaca", "the sheet read"), extent, rows * cols, limits))


def _cells_problem(where: tuple[str, str], extent: tuple[str, str], cells: int, limits: WorkbookLimits) -> str:
    return _two(
        f"{where[0]} berisi {{cells}} sel ({extent[0]}), melebihi batas {{limit}} sel (PANTAU_XLSX_MAX_CELLS); "
        "simpan sebagai CSV atau bagi berkasnya",
        f"{where[1]} holds {{cells}} cells ({extent[1]}), over the limit of {{limit}} cells "
        "(PANTAU_XLSX_MAX_CELLS); save it as CSV or split the file",
        cells=cells, limit=limits.max_cells)


def _where(name: str, several: bool) -> tuple[str, str]:
    if several:
        return f"lembar '{name}' bersama lembar sebelumnya", f"sheet '{name}' with the sheets before it"
    return f"lembar '{name}'", f"sheet '{name}'"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def check_package(path: Path, limits: WorkbookLimits) -> list[tuple[str, str]]:
    """Refuse a zip whose parts unpack past ``max_unpacked_mb`` or whose sheets declare more than
    ``max_cells`` cells, before unpacking anything but each sheet's first 64 KB. Returns the
    sheets whose XML could hold more cells than that, as (part, sheet name), for counting. Not a
    zip (an old .xls) or a damaged one: nothing to check here, the reader says what is wrong."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return []
    with zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.max_unpacked_mb * MB:
            raise RefusedFile(path, _two(
                "isi ZIP buku kerja ini berukuran {size} MB setelah dibuka, melebihi batas {limit} MB "
                "(PANTAU_XLSX_MAX_UNPACKED_MB); simpan sebagai CSV atau bagi berkasnya",
                "this workbook unpacks to {size} MB, over the limit of {limit} MB "
                "(PANTAU_XLSX_MAX_UNPACKED_MB); save it as CSV or split the file",
                size=-(-unpacked // MB), limit=limits.max_unpacked_mb))
        names = _sheet_names(zf)
        sheets = [i for i in infos if _SHEET_PART.match(i.filename) or i.filename in names]
        declared, parts = 0, []
        for n, info in enumerate(sheets):
            name = names.get(info.filename, PurePosixPath(info.filename).stem)
            if info.file_size > _MIN_CELL_BYTES * limits.max_cells:
                parts.append((info.filename, name))
            try:
                with zf.open(info) as fh:
                    head = fh.read(_HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                return []  # damaged or encrypted: the reader refuses it with its own words
            m = _DIMENSION.search(head)
            if m is None:
                continue
            c1, r1 = _column_number(m.group(1)), int(m.group(2))
            c2, r2 = (_column_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
            declared += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
            if declared > limits.max_cells:
                ref = m.group(0).split(b"=", 1)[1].strip(b" \"'").decode("ascii", "replace")
                raise RefusedFile(path, _cells_problem(_where(name, n > 0), (ref, ref), declared, limits))
        return parts


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part -> the sheet's name, from the workbook and its relationships (each read only
    if small), so a message says 'Laporan Ringkas' rather than 'sheet1'."""
    def small(name: str) -> bytes:
        try:
            info = zf.getinfo(name)
            return zf.read(info) if info.file_size <= MB else b""
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            return b""

    def attrs(tag: bytes) -> dict[str, str]:
        # A prefixed id (r:id, whatever the prefix) is the relationship id.
        return {"r:id" if prefix and local == b"id" else local.decode(): value.decode("utf-8", "replace")
                for prefix, local, value in _ATTR.findall(tag)}

    targets = {}
    for tag in _REL_TAG.findall(small("xl/_rels/workbook.xml.rels")):
        a = attrs(tag)
        t = a.get("Target", "")
        targets[a.get("Id")] = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
    names = {}
    for tag in _SHEET_TAG.findall(small("xl/workbook.xml")):
        a = attrs(tag)
        if a.get("r:id") in targets and "name" in a:
            names[targets[a["r:id"]]] = a["name"]
    return names


def _count_cells(path: Path, parts: list[tuple[str, str]], limits: WorkbookLimits, result: _Result) -> None:
    """Count the cells of the sheets on their unpacked XML (a cell is a ``<c`` tag; text cannot
    hold one unescaped); past ``max_cells``, answer for the child and end it at once, whatever
    the reader is doing."""
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for n, (part, name) in enumerate(parts):
                carry = b""
                with zf.open(part) as fh:
                    while chunk := fh.read(_CHUNK):
                        data = carry + chunk
                        cut = data.rfind(b"<", max(0, len(data) - 64))  # no tag straddles the cut
                        cut = cut if cut >= 0 else len(data)
                        data, carry = data[:cut], data[cut:]
                        total += data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
                        if b":c" in data:
                            total += len(_PREFIXED_CELL.findall(data))
                        if total > limits.max_cells:
                            problem = _cells_problem(_where(name, n > 0), ("dihitung saat dibaca", "counted while read"),
                                                     total, limits)
                            if result.write({"refused": problem}):
                                os._exit(0)
                            return
    except Exception:  # noqa: BLE001 - a damaged part: the reader says what is wrong with it
        return


if __name__ == "__main__":
    _serve()
