"""References parse as `docker pull` parses them."""

import pytest

from engine.reference import uses_plain_http
from engine.registry import InvalidReference, parse_reference

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize("text,domain,path,tag,digest", [
    ("busybox", "docker.io", "library/busybox", "latest", None),
    ("busybox:1.36", "docker.io", "library/busybox", "1.36", None),
    ("library/busybox", "docker.io", "library/busybox", "latest", None),
    ("docker.io/busybox", "docker.io", "library/busybox", "latest", None),
    ("index.docker.io/user/app:v1", "docker.io", "user/app", "v1", None),
    ("user/app", "docker.io", "user/app", "latest", None),
    ("localhost/app", "localhost", "app", "latest", None),
    ("localhost:5000/x/y:z", "localhost:5000", "x/y", "z", None),
    ("127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", None),
    ("[::1]:5000/x:t", "[::1]:5000", "x", "t", None),
    ("ghcr.io/o/r/s", "ghcr.io", "o/r/s", "latest", None),
    ("Registry/app", "Registry", "app", "latest", None),
    (f"busybox@{DIGEST}", "docker.io", "library/busybox", None, DIGEST),
    (f"r.io/a:t@{DIGEST}", "r.io", "a", "t", DIGEST),
    ("localhost:5000", "docker.io", "library/localhost", "5000", None),
    ("a__b-c---d/e.f", "docker.io", "a__b-c---d/e.f", "latest", None),
])
def test_parse(text, domain, path, tag, digest):
    ref = parse_reference(text)
    assert (ref.domain, ref.path, ref.tag, ref.digest) == (domain, path, tag, digest)


@pytest.mark.parametrize("text,familiar,full", [
    ("busybox", "busybox:latest", "docker.io/library/busybox:latest"),
    ("user/app:1", "user/app:1", "docker.io/user/app:1"),
    ("127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y"),
])
def test_familiar_and_full(text, familiar, full):
    ref = parse_reference(text)
    assert (ref.familiar, str(ref)) == (familiar, full)


def test_docker_hub_api_host():
    assert parse_reference("busybox").api_host == "registry-1.docker.io"
    assert parse_reference("r.io/x").api_host == "r.io"


@pytest.mark.parametrize("text,reason", [
    ("Busybox", "must be lowercase"),
    ("r.io/App", "must be lowercase"),
    ("a" * 64, "image ID"),
    ("busybox:", "is not a tag"),
    ("busybox:.x", "is not a tag"),
    ("busybox:" + "t" * 129, "is not a tag"),
    ("busy_-box", "is not a repository name"),
    ("-x", "is not a repository name"),
    ("busybox@sha256:abc", "is not a digest"),
    ("busybox@sha256:" + "A" * 64, "64 lower-case hex"),
    ("r.io/", "empty"),
    ("r.io/" + "a" * 260, "longer than 255"),
    ("bad_host.io:x/app", "is not a registry host"),
])
def test_invalid(text, reason):
    with pytest.raises(InvalidReference) as caught:
        parse_reference(text)
    assert reason in str(caught.value) and caught.value.exit_code == 15


@pytest.mark.parametrize("host,insecure,plain", [
    ("127.0.0.1:5000", (), True), ("127.1.2.3", (), True), ("localhost:5000", (), True), ("localhost", (), True),
    ("[::1]:5000", (), True), ("registry.lan:5000", (), False), ("registry.lan:5000", ("registry.lan:5000",), True),
    ("registry.lan:5000", ("registry.lan",), True), ("registry-1.docker.io", (), False), ("127.evil.com", (), False),
])
def test_plain_http(host, insecure, plain):
    assert uses_plain_http(host, insecure) is plain
