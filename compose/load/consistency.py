"""Phase `consistency`: cross-references in the canonical project, checked as a whole.

Runs last, on the canonical dict (`docker compose config`'s output, parsed), and
rejects what Docker Compose v2.40's consistency check rejects: references to
services, networks, volumes, secrets and configs that are not defined, attributes
that contradict each other (`cpus` and `deploy.resources.limits.cpus`), a fixed
`container_name` on a scaled or duplicated service, and dependency cycles, which
are reported with their path (`dependency cycle: api -> db -> web -> api`).

Each check is a small generator of `FileError`s; `CHECKS` lists them in the order
they run. `check()` raises the first error, `problems()` collects them all.

Compose accepts at `config` time a host port published twice and a mount target
used twice (the engine refuses them at `up`), so `check()` accepts them too;
`port_clashes()` finds the first kind for `up` to refuse before it creates anything.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compose.errors import FileError, KeyPath

SERVICE_PREFIX = "service:"
CONTAINER_PREFIX = "container:"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a check sees: the project and the services that profiles left out."""

    project: Mapping[str, Any]
    disabled: frozenset[str] | None  # None: not known

    @property
    def services(self) -> Mapping[str, Mapping[str, Any]]:
        return self.project.get("services") or {}

    def top(self, kind: str) -> Mapping[str, Any]:
        """The top-level `networks`, `volumes`, `secrets` or `configs` mapping."""
        return self.project.get(kind) or {}


Check = Callable[[Scope], Iterator[FileError]]


def check(project: Mapping[str, Any], *, disabled: Collection[str] | None = None) -> None:
    """Raise the first inconsistency of `project` as a `FileError` at its key path.

    `disabled` names the services defined in the files but left out by profiles:
    a `depends_on` entry on one of them with `required: false` is allowed, and
    on any other undefined service refused, as Compose does. Without `disabled`,
    every `required: false` dependency on an undefined service is allowed.
    """
    for error in problems(project, disabled=disabled):
        raise error


def problems(project: Mapping[str, Any], *, disabled: Collection[str] | None = None) -> Iterator[FileError]:
    """Every inconsistency of `project`, in `CHECKS` order."""
    scope = Scope(project, None if disabled is None else frozenset(disabled))
    for each in CHECKS:
        yield from each(scope)


def _path(name: str, *rest: str | int) -> KeyPath:
    return ("services", name, *rest)


def _unknown(scope: Scope, target: str) -> str:
    """Why `target` is not a service one can refer to."""
    if scope.disabled and target in scope.disabled:
        return f'service "{target}", which no active profile enables'
    return f'undefined service "{target}"'


# --- leftovers and shape -----------------------------------------------------------------------------------------


def extends_left(scope: Scope) -> Iterator[FileError]:
    """`extends` is resolved by an earlier phase; one left over means that phase missed it."""
    for name, svc in scope.services.items():
        if "extends" in svc:
            yield FileError(_path(name, "extends"), f'service "{name}" still has an unresolved `extends`')


def image_or_build(scope: Scope) -> Iterator[FileError]:
    for name, svc in scope.services.items():
        if not svc.get("image") and svc.get("build") is None:
            yield FileError(_path(name), f'service "{name}" has neither an image nor a build context',
                            hint="set `image:` or `build:`")


def build_options(scope: Scope) -> Iterator[FileError]:
    for name, svc in scope.services.items():
        build = svc.get("build")
        if not isinstance(build, Mapping):
            continue
        if build.get("dockerfile") and build.get("dockerfile_inline"):
            yield FileError(_path(name, "build"), f'service "{name}" sets both `dockerfile` and `dockerfile_inline`, '
                            "which exclude each other")
        platforms = build.get("platforms") or ()
        platform = svc.get("platform")
        if platforms and platform and platform not in platforms:
            yield FileError(_path(name, "build", "platforms"),
                            f'build.platforms must include the service\'s platform "{platform}"')


def network_mode_and_networks(scope: Scope) -> Iterator[FileError]:
    for name, svc in scope.services.items():
        if svc.get("network_mode") and svc.get("networks"):
            yield FileError(_path(name, "network_mode"),
                            f'service "{name}" sets both `network_mode` and `networks`, which exclude each other')


def healthcheck_test(scope: Scope) -> Iterator[FileError]:
    for name, svc in scope.services.items():
        test = (svc.get("healthcheck") or {}).get("test")
        if isinstance(test, list | tuple) and test and test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            yield FileError(_path(name, "healthcheck", "test", 0),
                            'healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE"')


# --- references to other services -------------------------------------------------------------------------------


def service_references(svc: Mapping[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...], str]]:
    """(service named, key path inside the service, attribute) for every implicit reference to another service."""
    for i, link in enumerate(svc.get("links") or ()):
        yield str(link).split(":", 1)[0], ("links", i), "links to"
    for i, entry in enumerate(svc.get("volumes_from") or ()):
        entry = str(entry)
        if not entry.startswith(CONTAINER_PREFIX):
            yield entry.removeprefix(SERVICE_PREFIX).split(":", 1)[0], ("volumes_from", i), "takes volumes from"
    for key, verb in (("network_mode", "shares the network stack of"), ("ipc", "shares the IPC namespace of"),
                      ("pid", "shares the PID namespace of")):
        value = svc.get(key)
        if isinstance(value, str) and value.startswith(SERVICE_PREFIX):
            yield value[len(SERVICE_PREFIX):], (key,), verb


def referenced_services(scope: Scope) -> Iterator[FileError]:
    services = scope.services
    for name, svc in services.items():
        for target, where, verb in service_references(svc):
            if target not in services:
                yield FileError(_path(name, *where), f'service "{name}" {verb} {_unknown(scope, target)}')


def depends_on(scope: Scope) -> Iterator[FileError]:
    services = scope.services
    for name, svc in services.items():
        for target, dep in (svc.get("depends_on") or {}).items():
            if target in services:
                continue
            optional = isinstance(dep, Mapping) and dep.get("required") is False
            if optional and (scope.disabled is None or target in scope.disabled):
                continue
            yield FileError(_path(name, "depends_on", target), f'service "{name}" depends on {_unknown(scope, target)}')


# --- references to top-level objects -----------------------------------------------------------------------------


def _undefined(name: str, what: str, ref: str, path: KeyPath, section: str) -> FileError:
    return FileError(path, f'service "{name}" refers to undefined {what} "{ref}"',
                     hint=f"define it under the top-level `{section}:`")


def networks(scope: Scope) -> Iterator[FileError]:
    defined = scope.top("networks")
    for name, svc in scope.services.items():
        for net in svc.get("networks") or {}:
            if net not in defined:
                yield _undefined(name, "network", net, _path(name, "networks", net), "networks")


def named_volumes(scope: Scope) -> Iterator[FileError]:
    defined = scope.top("volumes")
    for name, svc in scope.services.items():
        for i, mount in enumerate(svc.get("volumes") or ()):
            source = mount.get("source") if isinstance(mount, Mapping) else None
            if source and mount.get("type") == "volume" and source not in defined:
                yield _undefined(name, "volume", source, _path(name, "volumes", i), "volumes")


def _file_refs(scope: Scope, section: str, refs: Any, path: KeyPath, name: str, what: str) -> Iterator[FileError]:
    defined = scope.top(section)
    for i, ref in enumerate(refs or ()):
        source = ref.get("source") if isinstance(ref, Mapping) else ref
        if source not in defined:
            yield _undefined(name, what, str(source), (*path, i), section)


def secrets_and_configs(scope: Scope) -> Iterator[FileError]:
    for name, svc in scope.services.items():
        yield from _file_refs(scope, "secrets", svc.get("secrets"), _path(name, "secrets"), name, "secret")
        yield from _file_refs(scope, "configs", svc.get("configs"), _path(name, "configs"), name, "config")
        build = svc.get("build")
        if isinstance(build, Mapping):
            yield from _file_refs(scope, "secrets", build.get("secrets"), _path(name, "build", "secrets"), name,
                                  "build secret")


def top_level_sources(scope: Scope) -> Iterator[FileError]:
    """A secret needs `file` or `environment`, a config also may have `content`, unless external."""
    for kind, keys in (("secrets", ("file", "environment")), ("configs", ("file", "environment", "content"))):
        for name, obj in scope.top(kind).items():
            obj = obj or {}
            if not obj.get("external") and not any(obj.get(k) is not None for k in keys):
                yield FileError((kind, name), f"one of {'|'.join(keys)} must be set")


# --- attributes that must agree ----------------------------------------------------------------------------------


def _number(value: Any) -> float:
    """A canonical size or count (`"536870912"`, `0.5`, `100`) as a number; 0 when absent."""
    if value in (None, ""):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


_ALIASES = (  # service attribute, deploy.resources section, key in that section
    ("cpus", "limits", "cpus"),
    ("mem_limit", "limits", "memory"),
    ("mem_reservation", "reservations", "memory"),
    ("pids_limit", "limits", "pids"),
)


def distinct_aliases(scope: Scope) -> Iterator[FileError]:
    """`scale` and `deploy.replicas`, `cpus` and `deploy.resources.limits.cpus`, ... must agree where both are set.

    As in Compose, a `deploy.resources.limits` section without the key counts as disagreeing.
    """
    for name, svc in scope.services.items():
        deploy = svc.get("deploy")
        if not isinstance(deploy, Mapping):
            continue
        scale, replicas = svc.get("scale"), deploy.get("replicas")
        if scale is not None and replicas is not None and _number(scale) != _number(replicas):
            yield FileError(_path(name, "scale"), "`scale` and `deploy.replicas` disagree; set only one")
        resources = deploy.get("resources") or {}
        for attr, section, key in _ALIASES:
            mine, theirs = _number(svc.get(attr)), resources.get(section)
            if mine and isinstance(theirs, Mapping) and _number(theirs.get(key)) != mine:
                yield FileError(_path(name, attr), f"`{attr}` and `deploy.resources.{section}.{key}` disagree; "
                                "set only one")


def scale_of(svc: Mapping[str, Any]) -> int:
    """How many containers a service runs: `scale`, else `deploy.replicas`, else 1."""
    if svc.get("scale") is not None:
        return int(svc["scale"])
    replicas = (svc.get("deploy") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def container_names(scope: Scope) -> Iterator[FileError]:
    """A fixed `container_name` allows one container: no scale above 1, no second service with it."""
    taken: dict[str, str] = {}
    for name, svc in scope.services.items():
        cname = svc.get("container_name")
        if not cname:
            continue
        if scale_of(svc) > 1:
            attr = "scale" if svc.get("scale") is not None else "deploy.replicas"
            yield FileError(_path(name, "container_name"),
                            f"cannot set `container_name` together with {attr} > 1: container names must be unique")
        if cname in taken:
            yield FileError(_path(name, "container_name"),
                            f'container name "{cname}" is already used by service "{taken[cname]}"')
        else:
            taken[cname] = name


def develop_watch(scope: Scope) -> Iterator[FileError]:
    for name, svc in scope.services.items():
        for i, watch in enumerate((svc.get("develop") or {}).get("watch") or ()):
            if watch.get("action") != "rebuild" and not watch.get("target"):
                yield FileError(_path(name, "develop", "watch", i), "`target` is required unless the action is rebuild")


# --- cycles ------------------------------------------------------------------------------------------------------


def dependency_edges(services: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, KeyPath]]:
    """service -> {service it needs first: key path of the attribute that says so}, known services only.

    The explicit attribute (`links`, `volumes_from`, `network_mode`, ...) wins over `depends_on`, which the
    canonical phase fills with those implicit edges too.
    """
    edges: dict[str, dict[str, KeyPath]] = {}
    for name in sorted(services):
        svc = services[name]
        out: dict[str, KeyPath] = {}
        for target, where, _verb in service_references(svc):
            if target in services:
                out.setdefault(target, _path(name, *where))
        for target in svc.get("depends_on") or {}:
            if target in services:
                out.setdefault(target, _path(name, "depends_on", target))
        edges[name] = {t: out[t] for t in sorted(out)}
    return edges


def find_cycle(edges: Mapping[str, Mapping[str, Any]]) -> list[str] | None:
    """The first cycle an iterative depth-first walk in name order finds, as `[a, b, ..., a]`, or None."""
    done: set[str] = set()
    for root in sorted(edges):
        if root in done:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(edges.get(root, ())))]
        on_path = {root: 0}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                del on_path[node]
                done.add(node)
            elif child in on_path:
                return [n for n, _ in stack[on_path[child]:]] + [child]
            elif child not in done:
                on_path[child] = len(stack)
                stack.append((child, iter(edges.get(child, ()))))
    return None


def cycles(scope: Scope) -> Iterator[FileError]:
    edges = dependency_edges(scope.services)
    cycle = find_cycle(edges)
    if cycle:
        yield FileError(edges[cycle[-2]][cycle[-1]], "dependency cycle: " + " -> ".join(cycle))


CHECKS: tuple[Check, ...] = (
    extends_left,
    image_or_build,
    build_options,
    network_mode_and_networks,
    networks,
    healthcheck_test,
    referenced_services,
    depends_on,
    named_volumes,
    secrets_and_configs,
    distinct_aliases,
    container_names,
    develop_watch,
    top_level_sources,
    cycles,
)


# --- published ports (not a `config` error; for `up`) ------------------------------------------------------------

_ANY_ADDRESS = ("", "0.0.0.0", "::")


def _overlap(a: str, b: str) -> bool:
    return a == b or a in _ANY_ADDRESS or b in _ANY_ADDRESS


def port_clashes(services: Mapping[str, Mapping[str, Any]]) -> Iterator[FileError]:
    """Fixed host ports that two containers of `services` would both bind, on overlapping addresses.

    Only single published ports count: from a range the engine picks a free port per container.
    A service running more than one container clashes with itself on a fixed port.
    """
    seen: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for name, svc in services.items():
        for i, port in enumerate(svc.get("ports") or ()):
            published = str(port.get("published") or "")
            if not published.isdigit():
                continue
            key, host_ip = (int(published), str(port.get("protocol") or "tcp")), str(port.get("host_ip") or "")
            where = f"{published}/{key[1]}"
            if scale_of(svc) > 1:
                yield FileError(_path(name, "ports", i), f"host port {where} cannot be published by "
                                f"{scale_of(svc)} containers of one service", hint="publish a port range instead")
            for other, other_ip in seen.get(key, ()):
                if _overlap(host_ip, other_ip):
                    yield FileError(_path(name, "ports", i),
                                    f'host port {where} is also published by service "{other}"')
                    break
            seen.setdefault(key, []).append((name, host_ip))
