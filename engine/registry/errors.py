"""The registry client's errors.

    EngineError
     `-- RegistryError                      every failure talking to a registry
          |-- (InvalidReference, from engine.reference: EngineError + InvalidArgument)
          |-- Unauthorized      (InvalidArgument)   401/403: no or wrong credentials
          |-- ImageNotFound     (NotFound)          404 on a manifest or a blob
          |-- NoMatchingPlatform (NotFound)         an index without this host's platform
          |-- RegistryUnavailable (Unavailable)     refused, dropped, 429/5xx after the retries
          `-- BadContent        (Unavailable)       a digest or a size that does not match,
                                                    a manifest we cannot read

Every message names the operation and the image: *pull `busybox:latest`: reason*.
"""

from __future__ import annotations

from engine.errors import EngineError
from pycompose.errors import InvalidArgument, NotFound, Unavailable


class RegistryError(EngineError):
    """Base of every error raised by `engine.registry`."""


# A reference is parsed outside the registry client (the image store names images too).
from engine.reference import InvalidReference as InvalidReference  # noqa: E402  (re-exported)


class Unauthorized(RegistryError, InvalidArgument):
    pass


class ImageNotFound(RegistryError, NotFound):
    pass


class NoMatchingPlatform(RegistryError, NotFound):
    pass


class RegistryUnavailable(RegistryError, Unavailable):
    pass


class BadContent(RegistryError, Unavailable):
    pass
