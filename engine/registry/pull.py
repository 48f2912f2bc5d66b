"""Pull: a reference -> a manifest (through an index for this platform) -> its blobs, into a sink.

    resolve   GET /v2/<repo>/manifests/<tag|digest>, Accept: indexes and manifests of both
              families; an index is narrowed to the wanted platform and its manifest fetched
              by digest. Every manifest is checked against its digest and capped in size.
    fetch     the config and the layers, in parallel on `jobs` threads; a blob the sink
              has is skipped; each is streamed into `sink.ingest` through a generator that
              hashes as it goes, resumes a dropped connection with a Range request (or
              skips what it had, when the registry answers the whole blob again), and
              raises on a wrong size or digest, so the sink never shows a bad blob.
    store     the manifests go into the sink too, under their digests, after the blobs.

The first failure stops the other downloads and is raised; blobs already complete stay.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass

import httpx

from engine.reference import Reference
from engine.registry import manifest as mf
from engine.registry.errors import BadContent, RegistryUnavailable
from engine.registry.progress import DONE, DOWNLOADING, EXISTS, Progress, ProgressCallback, ignore
from engine.registry.session import Session
from engine.registry.sink import BlobSink


@dataclass(frozen=True)
class PullResult:
    """What was pulled: `reference` carries the manifest's digest (the platform's, not the index's)."""

    reference: Reference
    manifest_digest: str
    manifest: mf.Manifest
    index_digest: str | None
    platform: mf.Platform | None


class _Cancelled(Exception):
    """Another download failed; this one stops."""


def pull(session: Session, ref: Reference, sink: BlobSink, *, platform: mf.Platform | None = None,
         progress: ProgressCallback = ignore, jobs: int = 3) -> PullResult:
    op = f"pull `{ref.familiar}`"
    body, media_type, digest = fetch_manifest(session, ref, ref.target, op)
    documents = [(digest, body)]
    index_digest, chosen = None, None
    parsed = mf.parse_manifest(body, media_type, op)
    if isinstance(parsed, mf.Index):
        index_digest = digest
        chosen = mf.select(parsed, platform or mf.host_platform(), op)
        body, media_type, digest = fetch_manifest(session, ref, chosen.digest, op)
        documents.append((digest, body))
        parsed = mf.parse_manifest(body, media_type, op)
        if not isinstance(parsed, mf.Manifest):
            raise BadContent(f"{op}: the index entry {chosen.digest} is itself an index")
    _fetch_blobs(session, ref, [parsed.config, *parsed.layers], sink, progress, jobs, op)
    for document_digest, document in reversed(documents):
        if not sink.has(document_digest):
            sink.ingest(document_digest, len(document), [document])
    return PullResult(ref.with_digest(digest), digest, parsed, index_digest,
                      chosen.platform if chosen else None)


def fetch_manifest(session: Session, ref: Reference, target: str, op: str) -> tuple[bytes, str, str]:
    """(body, media type, digest) of one manifest, checked against the digest asked for or announced."""
    what = f"manifest `{target}` of {ref.path}"
    response = session.request("GET", f"{ref.path}/manifests/{target}", scope=f"repository:{ref.path}:pull",
                               op=op, what=what, headers={"Accept": mf.ACCEPT}, stream=True)
    try:
        body = bytearray()
        for chunk in response.iter_raw():
            body += chunk
            if len(body) > mf.MANIFEST_MAX:
                raise BadContent(f"{op}: {what} is larger than {mf.MANIFEST_MAX} bytes")
    except httpx.TransportError as e:
        raise RegistryUnavailable(f"{op}: {what} on {session.host}: connection dropped ({e})") from e
    finally:
        response.close()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    expected = target if target.startswith("sha256:") else response.headers.get("Docker-Content-Digest", "")
    if expected.startswith("sha256:") and expected != digest:
        raise BadContent(f"{op}: {what} has digest {digest}, expected {expected}")
    return bytes(body), mf.media_type_of(bytes(body), response.headers.get("Content-Type", ""), op), digest


def _fetch_blobs(session: Session, ref: Reference, blobs: list[mf.Descriptor], sink: BlobSink,
                 progress: ProgressCallback, jobs: int, op: str) -> None:
    unique = list({b.digest: b for b in blobs}.values())
    missing = []
    for blob in unique:
        if sink.has(blob.digest):
            progress(Progress(blob.digest, blob.size, blob.size, EXISTS))
        else:
            missing.append(blob)
    if not missing:
        return
    cancelled = threading.Event()
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(missing))), thread_name_prefix="pull") as pool:
        futures = [pool.submit(_fetch_blob, session, ref, blob, sink, progress, cancelled, op) for blob in missing]
        wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in futures if f.done() and f.exception() is not None]
        if failed:
            cancelled.set()
            for f in futures:
                f.cancel()
            wait(futures)
            errors = [f.exception() for f in futures if f.done() and not f.cancelled() and f.exception()]
            first = next((e for e in errors if not isinstance(e, _Cancelled)), errors[0])
            raise first


def _fetch_blob(session: Session, ref: Reference, blob: mf.Descriptor, sink: BlobSink,
                progress: ProgressCallback, cancelled: threading.Event, op: str) -> None:
    if cancelled.is_set():
        raise _Cancelled()
    sink.ingest(blob.digest, blob.size, _stream(session, ref, blob, progress, cancelled, op))
    progress(Progress(blob.digest, blob.size, blob.size, DONE))


def _stream(session: Session, ref: Reference, blob: mf.Descriptor, progress: ProgressCallback,
            cancelled: threading.Event, op: str) -> Iterator[bytes]:
    """The blob's bytes, resumed across dropped connections, checked for size and digest at the end."""
    what = f"blob {blob.digest} of {ref.path}"
    hasher, received, drops = hashlib.sha256(), 0, 0
    progress(Progress(blob.digest, 0, blob.size, DOWNLOADING))
    while True:
        headers = {"Range": f"bytes={received}-"} if received else None
        response = session.request("GET", f"{ref.path}/blobs/{blob.digest}", scope=f"repository:{ref.path}:pull",
                                   op=op, what=what, headers=headers, stream=True, ok=(200, 206))
        skip = received if response.status_code == 200 else 0
        try:
            for chunk in response.iter_raw():
                if cancelled.is_set():
                    raise _Cancelled()
                if skip:
                    chunk, skip = chunk[skip:], max(0, skip - len(chunk))
                    if not chunk:
                        continue
                received += len(chunk)
                if received > blob.size:
                    raise BadContent(f"{op}: {what} is larger than the {blob.size} bytes its manifest says")
                hasher.update(chunk)
                yield chunk
                progress(Progress(blob.digest, received, blob.size, DOWNLOADING))
        except httpx.TransportError as e:
            drops += 1
            if drops >= session.retry.attempts:
                raise RegistryUnavailable(f"{op}: {what} on {session.host}: the connection dropped "
                                          f"{drops} times, last at byte {received} ({e})") from e
            time.sleep(session.retry.wait_for(drops))
            continue
        finally:
            response.close()
        if received < blob.size:
            drops += 1
            if drops >= session.retry.attempts:
                raise RegistryUnavailable(f"{op}: {what} on {session.host}: the body ended at byte {received} "
                                          f"of {blob.size}, {drops} times")
            continue
        break
    actual = "sha256:" + hasher.hexdigest()
    if actual != blob.digest:
        raise BadContent(f"{op}: {what} does not match its digest (the bytes hash to {actual})")

