"""Push: blobs the registry lacks, then the manifest (an index: each platform's manifest first).

    check     HEAD /v2/<repo>/blobs/<digest>: 200 means there, nothing to send
    mount     POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<other repo>, for each
              repository named in `mount_from`: 201 means the registry copied it
    upload    POST /v2/<repo>/blobs/uploads/ -> Location; then either one
              PUT <location>?digest=<digest> with the whole blob (monolithic), or
              PATCH <location> per chunk with Content-Range, then PUT ?digest= (chunked)
    manifest  PUT /v2/<repo>/manifests/<tag or digest> with its media type

Blobs go up in parallel on `jobs` threads. A transient fault during an upload starts
that blob's upload again from the POST (the source can be read again); the
registry discards the abandoned session.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

import httpx

from engine.reference import Reference
from engine.registry import manifest as mf
from engine.registry.errors import BadContent, RegistryError
from engine.registry.progress import DONE, EXISTS, MOUNTED, UPLOADING, Progress, ProgressCallback, ignore
from engine.registry.session import Session, Transient
from engine.registry.sink import BlobSink

_READ = 1024 * 1024


def push(session: Session, ref: Reference, source: BlobSink, manifest_digest: str, *,
         mount_from: Iterable[str] = (), progress: ProgressCallback = ignore, jobs: int = 3,
         chunk_size: int | None = None) -> str:
    """Push the manifest `manifest_digest` (and all it names) from `source` to `ref`; its digest."""
    op = f"push `{ref.familiar}`"
    mounts = tuple(m for m in mount_from if m != ref.path)
    scope = " ".join([f"repository:{ref.path}:pull,push"] + [f"repository:{m}:pull" for m in mounts])
    pusher = _Pusher(session, ref, source, scope, op, mounts, progress, jobs, chunk_size)
    return pusher.manifest(manifest_digest, ref.tag or manifest_digest)


class _Pusher:
    def __init__(self, session: Session, ref: Reference, source: BlobSink, scope: str, op: str,
                 mounts: tuple[str, ...], progress: ProgressCallback, jobs: int, chunk_size: int | None):
        self.session, self.ref, self.source, self.scope, self.op = session, ref, source, scope, op
        self.mounts, self.progress, self.jobs, self.chunk_size = mounts, progress, jobs, chunk_size

    def manifest(self, digest: str, target: str) -> str:
        body = self._read_manifest(digest)
        media_type = mf.media_type_of(body, "", self.op)
        parsed = mf.parse_manifest(body, media_type, self.op)
        if isinstance(parsed, mf.Index):
            for child in parsed.manifests:
                self.manifest(child.digest, child.digest)
        else:
            blobs = list({b.digest: b for b in [parsed.config, *parsed.layers]}.values())
            with ThreadPoolExecutor(max_workers=max(1, min(self.jobs, len(blobs))), thread_name_prefix="push") as pool:
                for future in [pool.submit(self.blob, b) for b in blobs]:
                    future.result()
        response = self.session.request(
            "PUT", f"{self.ref.path}/manifests/{target}", scope=self.scope, op=self.op,
            what=f"manifest `{target}`", headers={"Content-Type": media_type}, content=body, ok=(200, 201))
        announced = response.headers.get("Docker-Content-Digest", digest)
        if announced != digest:
            raise BadContent(f"{self.op}: the registry stored the manifest as {announced}, not {digest}")
        return digest

    def blob(self, blob: mf.Descriptor) -> None:
        path = f"{self.ref.path}/blobs/{blob.digest}"
        what = f"blob {blob.digest}"
        found = self.session.request("HEAD", path, scope=self.scope, op=self.op, what=what, ok=(200, 404))
        if found.status_code == 200:
            self.progress(Progress(blob.digest, blob.size, blob.size, EXISTS))
            return
        self.session.retrying(self.op, what)(lambda: self._upload(blob, what))

    def _upload(self, blob: mf.Descriptor, what: str) -> None:
        location = self._start(blob, what)
        if location is None:
            self.progress(Progress(blob.digest, blob.size, blob.size, MOUNTED))
            return
        with self._open(blob) as f:
            if self.chunk_size:
                location = self._patch_chunks(blob, f, location, what)
                body: bytes | Iterator[bytes] = b""
                headers = {"Content-Length": "0"}
            else:
                body = self._reading(blob, f)
                headers = {"Content-Length": str(blob.size), "Content-Type": "application/octet-stream"}
            finish = str(httpx.URL(location).copy_merge_params({"digest": blob.digest}))
            self.session.request("PUT", finish, scope=self.scope, op=self.op, what=what, headers=headers,
                                 content=body, ok=(201,), retry=False)
        self.progress(Progress(blob.digest, blob.size, blob.size, DONE))

    def _start(self, blob: mf.Descriptor, what: str) -> str | None:
        """A mount (None) or the Location of a new upload session."""
        uploads = f"{self.ref.path}/blobs/uploads/"
        for n, source in enumerate(self.mounts, 1):
            response = self.session.request("POST", uploads, scope=self.scope, op=self.op, what=what,
                                            params={"mount": blob.digest, "from": source}, ok=(201, 202))
            if response.status_code == 201:
                return None
            location = self._location(response, what)
            if n == len(self.mounts):
                return location
            self.session.request("DELETE", location, scope=self.scope, op=self.op, what=what, ok=(204, 404))
        response = self.session.request("POST", uploads, scope=self.scope, op=self.op, what=what, ok=(202,))
        return self._location(response, what)

    def _patch_chunks(self, blob: mf.Descriptor, f: BinaryIO, location: str, what: str) -> str:
        assert self.chunk_size
        offset = 0
        while offset < blob.size:
            chunk = f.read(min(self.chunk_size, blob.size - offset))
            if not chunk:
                raise BadContent(f"{self.op}: {what} in the store is shorter than its {blob.size} bytes")
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(chunk)),
                       "Content-Range": f"{offset}-{offset + len(chunk) - 1}"}
            response = self.session.request("PATCH", location, scope=self.scope, op=self.op, what=what,
                                            headers=headers, content=chunk, ok=(202,), retry=False)
            offset += len(chunk)
            self.progress(Progress(blob.digest, offset, blob.size, UPLOADING))
            location = self._location(response, what)
        return location

    def _reading(self, blob: mf.Descriptor, f: BinaryIO) -> Iterator[bytes]:
        sent = 0
        while chunk := f.read(_READ):
            sent += len(chunk)
            yield chunk
            self.progress(Progress(blob.digest, sent, blob.size, UPLOADING))

    def _location(self, response: httpx.Response, what: str) -> str:
        location = response.headers.get("Location")
        if not location:
            raise Transient(f"{what}: the registry opened an upload without a Location")
        return str(httpx.URL(self.session.base).join(location))

    def _open(self, blob: mf.Descriptor) -> BinaryIO:
        try:
            return self.source.open(blob.digest)
        except OSError as e:
            raise RegistryError(f"{self.op}: read {blob.digest} from the store: {e.strerror or e}") from e

    def _read_manifest(self, digest: str) -> bytes:
        try:
            with self.source.open(digest) as f:
                body = f.read(mf.MANIFEST_MAX + 1)
        except OSError as e:
            raise RegistryError(f"{self.op}: read manifest {digest} from the store: {e.strerror or e}") from e
        if len(body) > mf.MANIFEST_MAX:
            raise BadContent(f"{self.op}: manifest {digest} is larger than {mf.MANIFEST_MAX} bytes")
        return body
