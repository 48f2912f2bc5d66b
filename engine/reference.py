"""Image references, parsed the way Docker parses them.

    busybox                      -> docker.io/library/busybox:latest
    127.0.0.1:5000/x/y@sha256:.. -> registry 127.0.0.1:5000, repository x/y, that digest
    localhost/app:1.0            -> registry localhost, repository app, tag 1.0

The first path component is a registry when it has a `.` or a `:`, is `localhost`,
or has an upper-case letter (then it cannot be a repository); otherwise the
registry is Docker Hub and a one-component name lives under `library/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import EngineError
from pycompose.errors import InvalidArgument


class InvalidReference(EngineError, InvalidArgument):
    """A string that is no image reference (`Busybox`, `x:tag!`)."""


DEFAULT_DOMAIN = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_LEGACY_DOMAINS = {"index.docker.io": DEFAULT_DOMAIN}

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME_MAX = 255


@dataclass(frozen=True)
class Reference:
    """A fully qualified image reference: registry domain, repository path, tag and/or digest."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """`docker.io/library/busybox`: the repository with its registry."""
        return f"{self.domain}/{self.path}"

    @property
    def api_host(self) -> str:
        """Where the registry API answers: Docker Hub's name differs from its domain."""
        return DOCKER_HUB_API if self.domain == DEFAULT_DOMAIN else self.domain

    @property
    def target(self) -> str:
        """What to ask the manifest endpoint for: the digest if there is one, else the tag."""
        return self.digest or self.tag or "latest"

    @property
    def familiar(self) -> str:
        """The short form Docker prints: `busybox:latest`, `127.0.0.1:5000/x:y`."""
        name = self.name
        if self.domain == DEFAULT_DOMAIN:
            name = self.path.removeprefix("library/") if self.path.count("/") == 1 else self.path
        return name + self._suffix()

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.domain, self.path, self.tag, digest)

    def _suffix(self) -> str:
        return (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    def __str__(self) -> str:
        return self.name + self._suffix()


def parse_reference(text: str) -> Reference:
    """Parse `text` as `docker pull` does; a reference with neither tag nor digest gets `latest`."""
    if _HEX64.fullmatch(text):
        raise InvalidReference(f"invalid reference `{text}`: a 64-character hexadecimal string is an image ID, "
                               "not a repository name")
    rest, _, digest = text.partition("@")
    tag = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
    domain, path = _split_domain(rest)
    _check(text, domain, path, tag, digest or None)
    if tag is None and not digest:
        tag = "latest"
    return Reference(domain, path, tag, digest or None)


def _split_domain(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    is_domain = slash and (any(c in first for c in ".:") or first == "localhost" or first.lower() != first)
    if not is_domain:
        domain, path = DEFAULT_DOMAIN, name
    else:
        domain, path = _LEGACY_DOMAINS.get(first, first), rest
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = f"library/{path}"
    return domain, path


def _check(text: str, domain: str, path: str, tag: str | None, digest: str | None) -> None:
    if not path:
        raise InvalidReference(f"invalid reference `{text}`: the repository name is empty")
    if path.lower() != path:
        raise InvalidReference(f"invalid reference `{text}`: repository name must be lowercase")
    if not _DOMAIN.fullmatch(domain):
        raise InvalidReference(f"invalid reference `{text}`: `{domain}` is not a registry host")
    if not _PATH.fullmatch(path):
        raise InvalidReference(f"invalid reference `{text}`: `{path}` is not a repository name "
                               "(lower-case letters, digits, and . _ - between them, / between parts)")
    if len(domain) + 1 + len(path) > _NAME_MAX:
        raise InvalidReference(f"invalid reference `{text}`: the repository name is longer than {_NAME_MAX}")
    if tag is not None and not _TAG.fullmatch(tag):
        raise InvalidReference(f"invalid reference `{text}`: `{tag}` is not a tag "
                               "(up to 128 letters, digits, _ . -, not starting with . or -)")
    if digest is not None and not _DIGEST.fullmatch(digest):
        raise InvalidReference(f"invalid reference `{text}`: `{digest}` is not a digest")
    if digest is not None and digest.startswith("sha256:") and not _SHA256.fullmatch(digest):
        raise InvalidReference(f"invalid reference `{text}`: a sha256 digest is 64 lower-case hex digits")


def uses_plain_http(host: str, insecure: frozenset[str] | set[str] | tuple[str, ...] = ()) -> bool:
    """Registries on the loopback and those listed as insecure speak HTTP; all others HTTPS."""
    bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    bare = bare.strip("[]")
    loopback = bare in ("localhost", "::1") or re.fullmatch(r"127(?:\.\d{1,3}){3}", bare) is not None
    return loopback or host in insecure or bare in insecure
