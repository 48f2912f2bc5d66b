"""The image side's errors: each one an `EngineError` and one kind (`pycompose.errors`).

    EngineError
     |-- ImageNotFound       (NotFound)        no image, blob or layer by that name or digest
     |-- DigestMismatch      (InvalidArgument) content does not hash to the digest it came with
     |-- UnsafeArchive       (InvalidArgument) a tar entry points outside its root
     |-- BadImage            (InvalidArgument) a manifest, config, archive or --change that cannot be read
     |-- ImageInUse          (Conflict)        an image still referenced where removal was asked
     `-- StorageUnavailable  (Unavailable)     the kernel refused (mount, overlayfs missing, not root)
"""

from __future__ import annotations

from engine.errors import EngineError
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable


class ImageNotFound(EngineError, NotFound):
    pass


class DigestMismatch(EngineError, InvalidArgument):
    pass


class UnsafeArchive(EngineError, InvalidArgument):
    pass


class BadImage(EngineError, InvalidArgument):
    pass


class ImageInUse(EngineError, Conflict):
    pass


class StorageUnavailable(EngineError, Unavailable):
    pass


def os_failure(operation: str, obj: object, err: OSError) -> StorageUnavailable:
    """Translate an OSError at the edge: *operation `object`: reason*."""
    return StorageUnavailable(f"{operation} `{obj}`: {err.strerror or err}")
