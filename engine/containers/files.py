"""The files a container gets from the engine: /etc/hostname, /etc/hosts, /etc/resolv.conf, and who a user is.

The three files are written beside config.json and bind-mounted over the init
layer's placeholders, as Docker does. With the host's network the container sees
the host's hosts and resolv.conf; otherwise its own hosts, and the host's
resolv.conf without loopback name servers (they would mean the container's own
loopback), Google's public servers when none is left.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.containers.errors import ContainerInvalid

HOSTS = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
         "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")
FALLBACK_DNS = ("8.8.8.8", "8.8.4.4")
FILES = {"hostname": "/etc/hostname", "hosts": "/etc/hosts", "resolv.conf": "/etc/resolv.conf"}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def resolv_conf(host_text: str, host_network: bool) -> str:
    if host_network:
        return host_text
    kept, servers = [], 0
    for line in host_text.splitlines():
        words = line.split()
        if words[:1] == ["nameserver"] and len(words) > 1:
            if words[1].startswith("127.") or words[1] == "::1":
                continue
            servers += 1
        kept.append(line)
    if not servers:
        kept += [f"nameserver {ip}" for ip in FALLBACK_DNS]
    return "\n".join(kept) + "\n"


def write_files(directory: Path, hostname: str, host_network: bool,
                extra_hosts: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """Write the three files into `directory`; returns {container path: host path}. `extra_hosts`
    (`--add-host`) are added to hosts, as Docker adds them (with the host's network too)."""
    hosts = _read("/etc/hosts") if host_network else HOSTS + f"{_loopback_for(hostname)}\t{hostname}\n"
    if hosts and not hosts.endswith("\n"):
        hosts += "\n"
    contents = {
        "hostname": hostname + "\n",
        "hosts": hosts + "".join(f"{address}\t{host}\n" for host, address in extra_hosts),
        "resolv.conf": resolv_conf(_read("/etc/resolv.conf"), host_network),
    }
    out = {}
    for name, text in contents.items():
        path = directory / name
        path.write_text(text)
        os.chmod(path, 0o644)
        out[FILES[name]] = str(path)
    return out


def _loopback_for(hostname: str) -> str:
    return "127.0.1.1"  # no network of its own yet: the name resolves to the container itself


def colon_table(path: Path) -> list[list[str]]:
    """The entries of /etc/passwd or /etc/group, each split at its colons (comments and blank lines left out)."""
    return [line.split(":") for line in _read(str(path)).splitlines() if line and not line.startswith("#")]


def resolve_user(rootfs: Path, spec: str) -> tuple[int, int, str]:
    """`uid[:gid]` or `name[:group]` against the container's /etc/passwd and /etc/group: (uid, gid, home)."""
    user, _, group = spec.partition(":")
    passwd = colon_table(rootfs / "etc" / "passwd")
    entry = next((e for e in passwd if len(e) >= 6 and (e[0] == user or (user.isdigit() and e[2] == user))), None)
    if user.isdigit():
        uid = int(user)
    elif entry is not None:
        uid = int(entry[2])
    else:
        raise ContainerInvalid(f"unable to find user {user}: no matching entries in passwd file")
    gid = int(entry[3]) if entry is not None else 0
    home = entry[5] if entry is not None else "/"
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            match = next((e for e in colon_table(rootfs / "etc" / "group") if len(e) >= 3 and e[0] == group), None)
            if match is None:
                raise ContainerInvalid(f"unable to find group {group}: no matching entries in group file")
            gid = int(match[2])
    return uid, gid, home
