"""The other side of analytics.live.owner: a command that finds its store held by a serving Pantau
hands its parsed arguments to that server and prints what comes back.

Paths in the arguments are made absolute first: the server runs in its own working directory.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from analytics import config
from analytics.live.owner import NOT_HANDED, owner_file

CONNECT_TIMEOUT_S = 5.0
# Arguments that name files or folders (by their argparse dest), made absolute before handing over.
PATH_ARGS = ("files", "mapping", "out", "to")


class OwnerGone(RuntimeError):
    """The address file names a server that does not answer (it stopped or crashed)."""


@dataclass(frozen=True)
class OwnerAddress:
    pid: int
    port: int
    token: str


@dataclass(frozen=True)
class Reply:
    exit: int
    stdout: str
    stderr: str


def find_owner(db: str | Path) -> OwnerAddress | None:
    """The serving process of ``db`` from its address file, if that process is alive."""
    try:
        info = json.loads(owner_file(db).read_text(encoding="utf-8"))
        address = OwnerAddress(pid=int(info["pid"]), port=int(info["port"]), token=str(info["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(address.pid, 0)
    except ProcessLookupError:
        return None  # a crashed server's file; the next server overwrites it
    except PermissionError:
        pass  # alive, another user's process: the token decides
    return address


def can_hand_over(args: argparse.Namespace) -> bool:
    return getattr(args, "command", None) not in NOT_HANDED


def absolute_args(args: argparse.Namespace) -> dict:
    """The parsed arguments as JSON-able values, with the store and every path made absolute."""
    values = dict(vars(args))
    values["db"] = str(config.db_path(values.get("db")).resolve())
    for name in PATH_ARGS:
        value = values.get(name)
        if isinstance(value, list):
            values[name] = [str(Path(v).resolve()) for v in value]
        elif value:
            values[name] = str(Path(value).resolve())
    policy = values.get("policy")
    if policy and (policy.endswith(".toml") or Path(policy).is_file()):
        values["policy"] = str(Path(policy).resolve())
    return json.loads(json.dumps(values, default=str))


def hand_over(address: OwnerAddress, args: dict, *, who: str | None) -> Reply:
    """Send one command to the serving process and wait for its result (an import can take minutes)."""
    try:
        sock = socket.create_connection(("127.0.0.1", address.port), timeout=CONNECT_TIMEOUT_S)
    except OSError as exc:
        raise OwnerGone(str(exc)) from exc
    with sock:
        sock.settimeout(None)
        sock.sendall(json.dumps({"token": address.token, "who": who, "args": args}).encode("utf-8") + b"\n")
        with sock.makefile("rb") as f:
            line = f.readline()
    if not line:
        raise OwnerGone("the server closed the connection without an answer")
    reply = json.loads(line)
    return Reply(exit=int(reply["exit"]), stdout=str(reply.get("stdout", "")), stderr=str(reply.get("stderr", "")))
