"""Credentials in a Docker-style `config.json`: `{"auths": {"<registry>": {"auth": base64("user:pass")}}}`.

Keys are the registry host (`127.0.0.1:5000`); Docker Hub's key is
`https://index.docker.io/v1/`, as the Docker CLI writes it. Keys written with a
scheme or a path (`https://host/v2/`) are found too. Writes are atomic (a
temporary file renamed over the old one, mode 0600) under a lock, and keep every
other key of the file as it was. Credential helpers (`credsStore`) are not read.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.reference import DEFAULT_DOMAIN, DOCKER_HUB_API
from engine.registry.errors import RegistryError

DOCKER_HUB_KEY = "https://index.docker.io/v1/"


@dataclass(frozen=True)
class Credentials:
    """A registry's username and password (or token)."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***)"


def default_config_dir() -> Path:
    """`$DOCKER_CONFIG`, else `~/.docker`: where the Docker CLI keeps `config.json`."""
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def config_key(registry: str) -> str:
    """The `auths` key of a registry host: Docker Hub's legacy URL, else the host itself."""
    host = _bare(registry)
    return DOCKER_HUB_KEY if host in (DEFAULT_DOMAIN, DOCKER_HUB_API, "index.docker.io") else host


def read_credentials(config_dir: Path, registry: str) -> Credentials | None:
    """The stored credentials for `registry`, or None."""
    wanted = _bare(config_key(registry))
    for key, entry in _load(config_dir).get("auths", {}).items():
        if _bare(key) == wanted and isinstance(entry, dict):
            return _decode(config_dir, key, entry)
    return None


def write_credentials(config_dir: Path, registry: str, credentials: Credentials) -> None:
    token = base64.b64encode(f"{credentials.username}:{credentials.password}".encode()).decode()
    with _locked(config_dir):
        config = _load(config_dir)
        auths = config.setdefault("auths", {})
        for key in [k for k in auths if _bare(k) == _bare(config_key(registry))]:
            del auths[key]
        auths[config_key(registry)] = {"auth": token}
        _save(config_dir, config)


def remove_credentials(config_dir: Path, registry: str) -> bool:
    """Forget `registry`'s credentials; False when there were none."""
    with _locked(config_dir):
        config = _load(config_dir)
        auths = config.get("auths", {})
        keys = [k for k in auths if _bare(k) == _bare(config_key(registry))]
        for key in keys:
            del auths[key]
        if keys:
            _save(config_dir, config)
        return bool(keys)


def _bare(key: str) -> str:
    return key.split("://", 1)[-1].split("/", 1)[0]


def _decode(config_dir: Path, key: str, entry: dict) -> Credentials | None:
    if entry.get("username") and entry.get("password"):
        return Credentials(entry["username"], entry["password"])
    if not entry.get("auth"):
        return None
    try:
        user, sep, password = base64.b64decode(entry["auth"], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        sep = ""
    if not sep:
        raise RegistryError(f"read credentials `{key}` in {config_dir / 'config.json'}: "
                            "`auth` is not base64 of `user:password`")
    return Credentials(user, password)


def _load(config_dir: Path) -> dict:
    path = config_dir / "config.json"
    try:
        config = json.loads(path.read_text() or "{}")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise RegistryError(f"read {path}: {e}") from e
    if not isinstance(config, dict):
        raise RegistryError(f"read {path}: not a JSON object")
    return config


def _save(config_dir: Path, config: dict) -> None:
    path = config_dir / "config.json"
    temporary = path.with_name(f".config.json.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f, indent="\t")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except OSError as e:
        temporary.unlink(missing_ok=True)
        raise RegistryError(f"write {path}: {e.strerror or e}") from e


@contextlib.contextmanager
def _locked(config_dir: Path) -> Iterator[None]:
    try:
        config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(config_dir / ".config.json.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    except OSError as e:
        raise RegistryError(f"lock {config_dir / 'config.json'}: {e.strerror or e}") from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
