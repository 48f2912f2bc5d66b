"""One registry host, spoken to over HTTP: the scheme, authentication, retries, and errors.

A `Session` sends requests to `<scheme>://<host>/v2/...`. Each request names the
scope it needs (`repository:x/y:pull`). Authentication follows the registry's
`WWW-Authenticate` challenge: `Basic` sends the stored credentials; `Bearer` asks
the challenge's realm for a token for the scopes (with the credentials, if any),
caches it until it expires, and sends it with every later request of that scope.

Transient faults (429, 5xx, a refused or dropped connection) are retried with
exponential back-off (honouring `Retry-After`), a bounded number of times; then
`RegistryUnavailable`. 401/403 become `Unauthorized`, 404 `ImageNotFound`, each
message naming the operation and the image.

    with Session("127.0.0.1:5000") as s:
        r = s.request("GET", "x/manifests/latest", scope="repository:x:pull", op="pull `x`")
"""

from __future__ import annotations

import base64
import functools
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import tenacity

from engine.reference import uses_plain_http
from engine.registry.credentials import Credentials
from engine.registry.errors import ImageNotFound, RegistryError, RegistryUnavailable, Unauthorized

_TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')
_TOKEN_DEFAULT_LIFETIME = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How transient faults are retried: `attempts` in all, waits doubling from `initial` up to `maximum`."""

    attempts: int = 5
    initial: float = 0.25
    maximum: float = 8.0

    def wait_for(self, attempt: int) -> float:
        """The back-off after the `attempt`-th failure (1-based)."""
        return min(self.maximum, self.initial * 2 ** (attempt - 1))

    def wait(self, state: tenacity.RetryCallState) -> float:
        backoff = self.wait_for(state.attempt_number)
        error = state.outcome.exception() if state.outcome else None
        after = getattr(error, "retry_after", None)
        return min(self.maximum, max(backoff, after or 0.0))


class Transient(Exception):
    """A fault worth another attempt; carries what the last attempt saw."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class _Token:
    """A bearer token and when it expires."""

    value: str
    expires: float


class Session:
    """Requests to one registry host; thread-safe (downloads share it)."""

    def __init__(self, host: str, *, credentials: Credentials | None = None,
                 insecure: Iterable[str] = (), retry: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, timeout: float = 60.0):
        self.host = host
        scheme = "http" if uses_plain_http(host, tuple(insecure)) else "https"
        self.base = f"{scheme}://{host}/v2/"
        self.credentials = credentials
        self.retry = retry or RetryPolicy()
        self.client = httpx.Client(transport=transport, follow_redirects=True, verify=_tls(),
                                   timeout=httpx.Timeout(timeout, connect=10.0),
                                   headers={"User-Agent": "pycompose"})
        self._lock = threading.Lock()
        self._challenge: tuple[str, dict[str, str]] | None = None
        self._tokens: dict[str, _Token] = {}

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def url(self, path: str) -> str:
        return path if "://" in path else self.base + path

    def request(self, method: str, path: str, *, scope: str, op: str, headers: dict[str, str] | None = None,
                content: bytes | Iterable[bytes] | None = None, params: dict[str, str] | None = None,
                stream: bool = False, ok: Iterable[int] = (200,), what: str = "",
                retry: bool = True) -> httpx.Response:
        """Send, authenticate if challenged, retry transient faults; a response whose status is in `ok`.

        With `stream`, the body is left unread (close the response). `what` names the
        object in errors (`manifest latest`). With `retry=False` (a body that cannot be
        replayed) a transient fault raises `Transient`, for the caller's `retrying` to
        start the whole exchange again.
        """
        accepted = frozenset(ok)

        def attempt() -> httpx.Response:
            return self._attempt(method, path, scope, op, headers, content, params, stream, accepted, what)

        if not retry:
            return attempt()
        retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(self.retry.attempts), wait=self.retry.wait,
                                     retry=tenacity.retry_if_exception_type(Transient), reraise=True)
        try:
            return retrying(attempt)
        except Transient as e:
            raise RegistryUnavailable(f"{op}: {what or path} on {self.host}: {e.reason} "
                                      f"(after {self.retry.attempts} attempts)") from None

    def retrying(self, op: str, what: str) -> Callable[[Callable[[], Any]], Any]:
        """Run a whole exchange (an upload, a download) again on a transient fault, as `request` does."""
        def run(fn: Callable[[], Any]) -> Any:
            retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(self.retry.attempts), wait=self.retry.wait,
                                         retry=tenacity.retry_if_exception_type(Transient), reraise=True)
            try:
                return retrying(fn)
            except Transient as e:
                raise RegistryUnavailable(f"{op}: {what} on {self.host}: {e.reason} "
                                          f"(after {self.retry.attempts} attempts)") from None
        return run

    def _attempt(self, method: str, path: str, scope: str, op: str, headers: dict[str, str] | None,
                 content: bytes | Iterable[bytes] | None, params: dict[str, str] | None, stream: bool,
                 ok: frozenset[int], what: str) -> httpx.Response:
        for authenticated in (False, True):
            request = self.client.build_request(method, self.url(path), headers=headers, content=content,
                                                params=params)
            auth = self._authorization(scope, op)
            if auth:
                request.headers["Authorization"] = auth
            try:
                response = self.client.send(request, stream=True)
            except httpx.TransportError as e:
                if _refused(e):  # nothing listens there: another attempt a moment later would only keep a user waiting
                    raise RegistryUnavailable(f"{op}: {what or path} on {self.host}: {_describe(e)}") from None
                raise Transient(_describe(e)) from e
            if response.status_code == 401 and not authenticated and self._learn(response, scope):
                response.close()
                continue
            if response.status_code in ok:
                if not stream:
                    try:
                        response.read()
                    except httpx.TransportError as e:
                        raise Transient(_describe(e)) from e
                return response
            raise self._failure(response, op, what or path)
        raise AssertionError("unreachable")

    def _failure(self, response: httpx.Response, op: str, what: str) -> Exception:
        status = response.status_code
        try:
            body = response.read()
        except httpx.TransportError:
            body = b""
        finally:
            response.close()
        reason = _registry_reason(body) or response.reason_phrase or f"HTTP {status}"
        if status in _TRANSIENT_STATUS:
            return Transient(f"HTTP {status} {reason}", _retry_after(response))
        if status in (401, 403):
            hint = f"log in with `pycompose login {self.host}`" if self.credentials is None else \
                f"check the credentials stored for {self.host}"
            return Unauthorized(f"{op}: {what} on {self.host}: {reason}", hint=hint)
        if status == 404:
            return ImageNotFound(f"{op}: {what} not found on {self.host}: {reason}")
        return RegistryError(f"{op}: {what} on {self.host}: HTTP {status} {reason}")

    def _authorization(self, scope: str, op: str) -> str | None:
        with self._lock:
            challenge = self._challenge
        if challenge is None:
            return None
        kind, params = challenge
        if kind == "basic":
            return self._basic() if self.credentials else None
        return f"Bearer {self._token(params, scope, op)}"

    def _learn(self, response: httpx.Response, scope: str) -> bool:
        """Take the 401's challenge; True when another attempt can answer it."""
        challenge = parse_challenge(response.headers.get("WWW-Authenticate", ""))
        if challenge is None:
            return False
        with self._lock:
            self._challenge = challenge
            self._tokens.pop(scope, None)
        return challenge[0] == "bearer" or self.credentials is not None

    def _basic(self) -> str:
        assert self.credentials is not None
        pair = f"{self.credentials.username}:{self.credentials.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    def _token(self, params: dict[str, str], scope: str, op: str) -> str:
        with self._lock:
            token = self._tokens.get(scope)
            if token is not None and token.expires > time.monotonic():
                return token.value
            query: list[tuple[str, str]] = [("scope", s) for s in scope.split(" ") if s]
            if params.get("scope") and params["scope"] not in scope.split(" "):
                query.append(("scope", params["scope"]))
            if params.get("service"):
                query.insert(0, ("service", params["service"]))
            realm = params.get("realm", "")
            auth = (self.credentials.username, self.credentials.password) if self.credentials else None
            try:
                response = self.client.get(realm, params=query, auth=auth)
            except httpx.TransportError as e:
                raise Transient(f"token server {realm}: {_describe(e)}") from e
            if response.status_code != 200:
                failure = self._failure(response, op, f"token from {realm}")
                raise failure
            try:
                body = response.json()
                value = body.get("token") or body["access_token"]
            except (ValueError, KeyError, AttributeError):
                raise RegistryError(f"{op}: the token server {realm} answered without a token") from None
            lifetime = float(body.get("expires_in") or _TOKEN_DEFAULT_LIFETIME)
            self._tokens[scope] = _Token(value, time.monotonic() + max(lifetime - 5.0, 1.0))
            return value


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every session: loading the CA bundle costs ~40 ms, once per process."""
    return httpx.create_ssl_context()


def parse_challenge(header: str) -> tuple[str, dict[str, str]] | None:
    """`Bearer realm="https://a/token",service="r",scope="..."` -> ("bearer", {...}); None if unknown."""
    kind, _, rest = header.strip().partition(" ")
    kind = kind.lower()
    if kind not in ("basic", "bearer"):
        return None
    params = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
              for m in _CHALLENGE_PARAM.finditer(rest)}
    if kind == "bearer" and not params.get("realm"):
        return None
    return kind, params


def _registry_reason(body: bytes) -> str:
    """The registry's own words: `{"errors": [{"code": "MANIFEST_UNKNOWN", "message": "..."}]}`."""
    try:
        errors = httpx.Response(200, content=body).json().get("errors") or []
        return "; ".join(str(e.get("message") or e.get("code")).strip() for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError):
        return ""


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _refused(error: BaseException) -> bool:
    """Whether the connection was refused (no listener), anywhere in the chain of causes."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "Connection refused" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _describe(error: httpx.TransportError) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect: {text}"
    return f"connection failed: {text}"
