"""A real redis-server on loopback for the tests that need one: installed from the distribution
when missing (as PostgreSQL is), started on a free port with nothing written to disk, stopped after.

    with redis_server() as url:   # redis://127.0.0.1:<port>/0
        ...
"""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time

import pytest

from tests.support.packages import install_debian_packages
from tests.support.postgres import free_port


def _binary() -> str:
    if not shutil.which("redis-server"):
        install_debian_packages("redis-server")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed and could not be installed (needs root and apt-get)")
    return binary


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            if conn.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    raise RuntimeError("redis-server did not answer PING")


@contextlib.contextmanager
def redis_server():
    """Start a throwaway redis-server; yields its URL and stops it on exit."""
    port = free_port()
    process = subprocess.Popen(
        [_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--protected-mode", "yes", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
