"""Which local process serves a connection, read from /proc (Linux): no test hook in the app."""

from __future__ import annotations

import os
from pathlib import Path


def worker_pids(parent: int) -> set[int]:
    """The worker processes of ``shopchat serve --workers N`` (multiprocessing's spawned
    children, not its resource tracker)."""
    workers = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            workers.add(int(entry.name))
    return workers


def serving_pid(*, server_port: int, client_port: int, candidates: set[int]) -> int:
    """The one of ``candidates`` that holds the server's end of the TCP connection from
    ``client_port`` to ``server_port`` on this machine."""
    inode = _socket_inode(server_port, client_port)
    for pid in candidates:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no process of {candidates} holds the connection from :{client_port}")


def _socket_inode(server_port: int, client_port: int) -> str:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if _port(local) == server_port and _port(remote) == client_port:
                return inode
    raise AssertionError(f"no TCP connection from :{client_port} to :{server_port}")


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)
