"""The registry client's front door: one object holding the options, a session per registry.

    client = RegistryClient(config_dir=tmp, insecure={"registry.lan:5000"})
    result = client.pull("127.0.0.1:5000/app:1.0", sink, progress=show)
    client.push("127.0.0.1:5000/app:2.0", sink, result.manifest_digest, mount_from=["app"])
    client.close()

Credentials come from `<config_dir>/config.json` (see `credentials`); `login`
checks them against the registry before writing them there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import httpx

from engine.reference import DEFAULT_DOMAIN, DOCKER_HUB_API, Reference, parse_reference
from engine.registry import credentials as creds
from engine.registry.manifest import Platform, parse_platform
from engine.registry.progress import ProgressCallback, ignore
from engine.registry.pull import PullResult, pull
from engine.registry.push import push
from engine.registry.session import RetryPolicy, Session
from engine.registry.sink import BlobSink


class RegistryClient:
    """Pull and push against any number of registries; thread-safe; close it (or use `with`)."""

    def __init__(self, *, config_dir: Path | None = None, insecure: Iterable[str] = (),
                 retry: RetryPolicy | None = None, jobs: int = 3,
                 transport: httpx.BaseTransport | None = None):
        self.config_dir = Path(config_dir) if config_dir is not None else creds.default_config_dir()
        self.insecure = tuple(insecure)
        self.retry = retry or RetryPolicy()
        self.jobs = jobs
        self._transport = transport
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()

    def session(self, domain: str) -> Session:
        """The session for a registry domain (`docker.io` is served by `registry-1.docker.io`)."""
        with self._lock:
            if domain not in self._sessions:
                host = DOCKER_HUB_API if domain == DEFAULT_DOMAIN else domain
                self._sessions[domain] = Session(host, credentials=creds.read_credentials(self.config_dir, domain),
                                                 insecure=self.insecure, retry=self.retry, transport=self._transport)
            return self._sessions[domain]

    def pull(self, reference: str | Reference, sink: BlobSink, *, platform: str | Platform | None = None,
             progress: ProgressCallback = ignore) -> PullResult:
        ref = parse_reference(reference) if isinstance(reference, str) else reference
        wanted = parse_platform(platform) if isinstance(platform, str) else platform
        return pull(self.session(ref.domain), ref, sink, platform=wanted, progress=progress, jobs=self.jobs)

    def push(self, reference: str | Reference, source: BlobSink, manifest_digest: str, *,
             mount_from: Iterable[str] = (), progress: ProgressCallback = ignore,
             chunk_size: int | None = None) -> str:
        """Push a manifest and all it names from `source`; the pushed manifest's digest.

        `mount_from` names repositories of the same registry that may hold the blobs
        already; the registry is asked to mount them from there before any upload.
        """
        ref = parse_reference(reference) if isinstance(reference, str) else reference
        return push(self.session(ref.domain), ref, source, manifest_digest, mount_from=mount_from,
                    progress=progress, jobs=self.jobs, chunk_size=chunk_size)

    def login(self, registry: str, username: str, password: str) -> None:
        """Check the credentials against `registry`, then store them in config.json."""
        login(registry, username, password, config_dir=self.config_dir, insecure=self.insecure,
              retry=self.retry, transport=self._transport)
        with self._lock:
            stale = self._sessions.pop(registry, None)
        if stale is not None:
            stale.close()

    def logout(self, registry: str) -> bool:
        return logout(registry, config_dir=self.config_dir)


def login(registry: str, username: str, password: str, *, config_dir: Path | None = None,
          insecure: Iterable[str] = (), retry: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None) -> None:
    """`docker login`: GET /v2/ with the credentials (through a token server if asked); store them if accepted."""
    config_dir = Path(config_dir) if config_dir is not None else creds.default_config_dir()
    domain = DEFAULT_DOMAIN if registry in ("docker.io", "index.docker.io", creds.DOCKER_HUB_KEY) else registry
    host = DOCKER_HUB_API if domain == DEFAULT_DOMAIN else domain
    credentials = creds.Credentials(username, password)
    with Session(host, credentials=credentials, insecure=insecure, retry=retry, transport=transport) as session:
        session.request("GET", "", scope="", op=f"login to {domain}", what="the API root")
    creds.write_credentials(config_dir, domain, credentials)


def logout(registry: str, *, config_dir: Path | None = None) -> bool:
    """Forget the credentials stored for `registry`; False when there were none."""
    config_dir = Path(config_dir) if config_dir is not None else creds.default_config_dir()
    return creds.remove_credentials(config_dir, registry)
