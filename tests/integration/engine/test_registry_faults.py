"""Faults between us and a real registry: a tiny proxy on 127.0.0.1 answers 429/500 or drops a body half-way."""

from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from engine.registry import DirectorySink, RegistryClient, RegistryUnavailable, RetryPolicy
from tests.integration.engine.conftest_registry import add_image, registry, tar_gz_layer  # noqa: F401

FAST = RetryPolicy(attempts=4, initial=0.0, maximum=0.0)
_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class FaultProxy:
    """Forwards to `upstream`; `faults` is a list of (path part, fault) consumed first-come:
    fault is an HTTP status to answer instead, "drop" (half the body, then the socket closes),
    or "norange" (forward without the Range header, so the whole blob comes again)."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.faults: list[tuple[str, object]] = []
        self.seen: list[tuple[str, str, str]] = []  # (method, path, Range header)
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.handle(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def take(self, path: str) -> object:
        with self.lock:
            for i, (part, fault) in enumerate(self.faults):
                if part in path:
                    del self.faults[i]
                    return fault
        return None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.seen.append((h.command, h.path, h.headers.get("Range", "")))
        fault = self.take(h.path)
        if isinstance(fault, int):
            h.send_response(fault)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        headers = {k: v for k, v in h.headers.items() if k.lower() not in _HOP}
        if fault == "norange":
            headers.pop("Range", None)
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        upstream = httpx.request(h.command, f"http://{self.upstream}{h.path}", headers=headers, content=body)
        h.send_response(upstream.status_code)
        for k, v in upstream.headers.items():
            if k.lower() not in _HOP:
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(upstream.content)))
        h.end_headers()
        if h.command == "HEAD":
            return
        if fault == "drop":
            h.wfile.write(upstream.content[: len(upstream.content) // 2])
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return
        h.wfile.write(upstream.content)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def image(registry, tmp_path_factory):  # noqa: F811
    """A two-layer image in the registry: (reference path, manifest digest, big layer digest)."""
    source = DirectorySink(tmp_path_factory.mktemp("source"))
    big = tar_gz_layer({"big": os.urandom(2_000_000)}, level=0)
    digest, _ = add_image(source, [big, tar_gz_layer({"small": b"x" * 100})])
    with RegistryClient(retry=FAST, config_dir=tmp_path_factory.mktemp("cfg")) as client:
        client.push(f"{registry.host}/faulty/app:v1", source, digest)
    import hashlib
    return "faulty/app:v1", digest, "sha256:" + hashlib.sha256(big).hexdigest()


@pytest.fixture
def proxy(registry):  # noqa: F811
    p = FaultProxy(registry.host)
    yield p
    p.close()


@pytest.fixture
def client(tmp_path):
    with RegistryClient(config_dir=tmp_path / "config", retry=FAST) as c:
        yield c


def test_429_and_500_are_retried(client, proxy, image, tmp_path):
    name, digest, big = image
    proxy.faults = [("/manifests/", 429), ("/manifests/", 500), (f"/blobs/{big}", 503)]
    result = client.pull(f"{proxy.host}/{name}", DirectorySink(tmp_path / "blobs"))
    assert result.manifest_digest == digest
    assert not proxy.faults


def test_dropped_body_resumes_with_a_range_request(client, proxy, image, tmp_path):
    name, digest, big = image
    proxy.faults = [(f"/blobs/{big}", "drop")]
    sink = DirectorySink(tmp_path / "blobs")
    client.pull(f"{proxy.host}/{name}", sink)
    assert sink.has(big)
    ranges = [r for method, path, r in proxy.seen if big in path and method == "GET"]
    assert ranges[0] == "" and ranges[1].startswith("bytes=") and ranges[1] != "bytes=0-"


def test_dropped_body_restarts_when_the_registry_ignores_range(client, proxy, image, tmp_path):
    name, _, big = image
    proxy.faults = [(f"/blobs/{big}", "drop"), (f"/blobs/{big}", "norange")]
    sink = DirectorySink(tmp_path / "blobs")
    client.pull(f"{proxy.host}/{name}", sink)
    assert sink.has(big)
    with sink.open(big) as f:
        assert len(f.read()) > 2_000_000


def test_persistent_faults_give_up_and_leave_nothing_half_written(client, proxy, image, tmp_path):
    name, _, big = image
    proxy.faults = [(f"/blobs/{big}", "drop")] * FAST.attempts
    sink = DirectorySink(tmp_path / "blobs")
    with pytest.raises(RegistryUnavailable) as caught:
        client.pull(f"{proxy.host}/{name}", sink)
    assert str(caught.value).startswith(f"pull `{proxy.host}/{name}`: blob {big} of faulty/app on {proxy.host}: "
                                        f"the connection dropped {FAST.attempts} times")
    assert not sink.has(big)
    assert not [p for p in (tmp_path / "blobs").rglob("*") if p.name.startswith(".")]


def test_persistent_500_on_the_manifest(client, proxy, image, tmp_path):
    name, _, _ = image
    proxy.faults = [("/manifests/", 500)] * FAST.attempts
    with pytest.raises(RegistryUnavailable) as caught:
        client.pull(f"{proxy.host}/{name}", DirectorySink(tmp_path / "blobs"))
    assert "HTTP 500" in str(caught.value) and f"(after {FAST.attempts} attempts)" in str(caught.value)
