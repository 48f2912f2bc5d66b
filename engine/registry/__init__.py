"""The registry client (registry HTTP API v2 / OCI distribution): references, auth, pull and push.

    from engine.registry import RegistryClient, DirectorySink
    with RegistryClient(config_dir=tmp) as client:
        result = client.pull("127.0.0.1:5000/busybox:latest", DirectorySink(tmp / "blobs"))

Modules: `reference` (parsing names), `credentials` (config.json), `session` (HTTP,
auth challenges, retries), `manifest` (media types, platforms), `pull`, `push`,
`sink` (the blob store interface), `progress`, `errors`.
"""

from engine.reference import Reference, parse_reference
from engine.registry.client import RegistryClient, login, logout
from engine.registry.errors import (
    BadContent,
    ImageNotFound,
    InvalidReference,
    NoMatchingPlatform,
    RegistryError,
    RegistryUnavailable,
    Unauthorized,
)
from engine.registry.manifest import Platform, host_platform, parse_platform
from engine.registry.progress import Progress
from engine.registry.pull import PullResult
from engine.registry.session import RetryPolicy
from engine.registry.sink import BlobSink, DirectorySink

__all__ = [
    "BadContent", "BlobSink", "DirectorySink", "ImageNotFound", "InvalidReference", "NoMatchingPlatform",
    "Platform", "Progress", "PullResult", "Reference", "RegistryClient", "RegistryError", "RegistryUnavailable",
    "RetryPolicy", "Unauthorized", "host_platform", "login", "logout", "parse_platform", "parse_reference",
]
