"""The HTTP side, against httpx's MockTransport: auth challenges, retries, error messages, pull checks."""

import hashlib
import json

import httpx
import pytest

from engine.registry import (
    BadContent,
    DirectorySink,
    ImageNotFound,
    RegistryClient,
    RegistryUnavailable,
    RetryPolicy,
    Unauthorized,
    login,
)
from engine.registry.session import parse_challenge

FAST = RetryPolicy(attempts=3, initial=0.0, maximum=0.0)
LAYER = b"layer bytes" * 100
CONFIG = b'{"architecture":"amd64","os":"linux"}'


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "c", "digest": digest(CONFIG), "size": len(CONFIG)},
                       "layers": [{"mediaType": "l", "digest": digest(LAYER), "size": len(LAYER)}]}).encode()


class FakeRegistry:
    """A registry at r.io behind a token server at auth.io; `layer` may be swapped for bad bytes."""

    def __init__(self, token_auth=True):
        self.token_auth = token_auth
        self.requests = []
        self.layer = LAYER
        self.faults = []

    def __call__(self, request):
        self.requests.append(request)
        if self.faults:
            return httpx.Response(self.faults.pop(0), headers={"Retry-After": "0"})
        if request.url.host == "auth.io":
            if request.headers.get("Authorization") not in (None, "Basic " + _b64("u:p")):
                return httpx.Response(401, json={"errors": [{"code": "UNAUTHORIZED", "message": "bad creds"}]})
            return httpx.Response(200, json={"token": "T:" + ",".join(request.url.params.get_list("scope"))})
        if self.token_auth and not request.headers.get("Authorization", "").startswith("Bearer T:"):
            scope = "repository:app:pull"
            return httpx.Response(401, headers={"WWW-Authenticate": f'Bearer realm="https://auth.io/token",'
                                                                    f'service="r.io",scope="{scope}"'})
        path = request.url.path
        if path == "/v2/":
            return httpx.Response(200)
        if path.endswith("/manifests/v1"):
            headers = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
            return httpx.Response(200, stream=httpx.ByteStream(MANIFEST), headers=headers)
        blobs = {digest(CONFIG): CONFIG, digest(LAYER): self.layer}
        for d, data in blobs.items():
            if path.endswith(f"/blobs/{d}"):
                return httpx.Response(200, stream=httpx.ByteStream(data))  # unread, as from a socket
        return httpx.Response(404, json={"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]})


def _b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


def client_for(fake, tmp_path):
    return RegistryClient(config_dir=tmp_path / "cfg", retry=FAST, transport=httpx.MockTransport(fake),
                          insecure=["r.io"])


def test_bearer_token_flow_asks_for_the_scope_once(tmp_path):
    fake = FakeRegistry()
    with client_for(fake, tmp_path) as client:
        result = client.pull("r.io/app:v1", DirectorySink(tmp_path / "blobs"))
    assert result.manifest_digest == digest(MANIFEST)
    tokens = [r for r in fake.requests if r.url.host == "auth.io"]
    assert len(tokens) == 1
    assert tokens[0].url.params.get_list("scope") == ["repository:app:pull"]
    assert tokens[0].url.params["service"] == "r.io"
    assert "Authorization" not in tokens[0].headers


def test_login_sends_credentials_to_the_token_server(tmp_path):
    fake = FakeRegistry()
    login("r.io", "u", "p", config_dir=tmp_path, insecure=["r.io"], retry=FAST, transport=httpx.MockTransport(fake))
    assert json.loads((tmp_path / "config.json").read_text())["auths"]["r.io"]["auth"] == _b64("u:p")
    with pytest.raises(Unauthorized, match="login to r.io: token from https://auth.io/token on r.io: bad creds"):
        login("r.io", "u", "x", config_dir=tmp_path / "2", insecure=["r.io"], retry=FAST,
              transport=httpx.MockTransport(fake))


def test_transient_statuses_are_retried(tmp_path):
    fake = FakeRegistry(token_auth=False)
    fake.faults = [429, 503]
    with client_for(fake, tmp_path) as client:
        client.pull("r.io/app:v1", DirectorySink(tmp_path / "blobs"))
    fake.faults = [500] * 3
    with client_for(fake, tmp_path) as client, pytest.raises(RegistryUnavailable) as caught:
        client.pull("r.io/app:v2", DirectorySink(tmp_path / "blobs2"))
    assert str(caught.value) == ("pull `r.io/app:v2`: manifest `v2` of app on r.io: HTTP 500 Internal Server Error "
                                 "(after 3 attempts)")


def test_not_found_names_the_image(tmp_path):
    with client_for(FakeRegistry(token_auth=False), tmp_path) as client, pytest.raises(ImageNotFound) as caught:
        client.pull("r.io/app:nope", DirectorySink(tmp_path / "blobs"))
    assert str(caught.value) == "pull `r.io/app:nope`: manifest `nope` of app not found on r.io: manifest unknown"


def test_a_corrupt_layer_is_never_visible(tmp_path):
    fake = FakeRegistry(token_auth=False)
    fake.layer = b"x" + LAYER[1:]
    sink = DirectorySink(tmp_path / "blobs")
    with client_for(fake, tmp_path) as client, pytest.raises(BadContent, match="does not match its digest"):
        client.pull("r.io/app:v1", sink)
    assert not sink.has(digest(LAYER))
    assert not [p for p in (tmp_path / "blobs").rglob(".*")]


def test_an_oversized_layer_stops_at_once(tmp_path):
    fake = FakeRegistry(token_auth=False)
    fake.layer = LAYER + b"more"
    with client_for(fake, tmp_path) as client, pytest.raises(BadContent, match="larger than the 1100 bytes"):
        client.pull("r.io/app:v1", DirectorySink(tmp_path / "blobs"))


@pytest.mark.parametrize("header,parsed", [
    ('Bearer realm="https://a/t",service="s",scope="repository:x:pull,push"',
     ("bearer", {"realm": "https://a/t", "service": "s", "scope": "repository:x:pull,push"})),
    ('Basic realm="r"', ("basic", {"realm": "r"})),
    ("Bearer service=s", None),
    ("Negotiate", None),
])
def test_parse_challenge(header, parsed):
    assert parse_challenge(header) == parsed
