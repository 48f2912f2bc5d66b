"""`watch`: the services' `develop.watch` rules, the files they look at, and what a change asks of a service.

    rules = rules_of(loaded.data, ["web"])          # from the canonical project (paths absolute)
    before = scan(rules)                            # path -> (mtime_ns, size), ignored paths left out
    changed = differences(before, scan(rules))      # paths made, changed or removed since
    for service, work in plan(rules, changed).items(): ...

A rule looks at `path` (a file or a directory tree). Its `ignore` patterns (and `include`, when given: only what
matches counts) are `.dockerignore` patterns relative to `path`; editors' temporary files and `.git` are always
ignored. What a change asks, per service, the strongest winning: `rebuild` (build the image, recreate the
containers; nothing else is needed), else the files of `sync`, `sync+restart` and `sync+exec` rules copied to
their `target` (or removed there), then a restart (`sync+restart`, `restart`) and the `exec` commands.
Scanning polls the files (no inotify in the standard library): a tree of a few thousand files costs a few
milliseconds a look.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.build.ignore import Matcher, read_patterns

ALWAYS_IGNORED = (".git", "**/*~", "**/.#*", "**/*.swp", "**/*.swx", "**/4913")  # editors' temporary files
SYNCS = ("sync", "sync+restart", "sync+exec")
RESTARTS = ("sync+restart", "restart")


@dataclass(frozen=True)
class Rule:
    """One `develop.watch` entry of a service."""

    service: str
    path: str
    action: str
    target: str | None = None
    ignore: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exec_command: tuple[str, ...] = ()
    exec_user: str | None = None
    exec_workdir: str | None = None
    exec_env: tuple[str, ...] = ()
    exec_privileged: bool = False
    initial_sync: bool = False

    @cached_property
    def _ignored(self) -> Matcher:
        return Matcher(read_patterns("\n".join((*ALWAYS_IGNORED, *self.ignore))))

    @cached_property
    def _included(self) -> Matcher | None:
        return Matcher(read_patterns("\n".join(self.include))) if self.include else None

    def _inside(self, path: str) -> str | None:
        if path == self.path:
            return ""
        if not path.startswith(self.path.rstrip("/") + "/"):
            return None
        return path[len(self.path.rstrip("/")) + 1:]

    def looks_into(self, directory: str) -> bool:
        """Whether a directory under the rule's path is walked (an ignored one is not)."""
        rel = self._inside(directory)
        return rel is not None and not (rel and self._ignored.excluded(rel))

    def relative(self, path: str) -> str | None:
        """`path` relative to the rule's (`""` when it is the rule's file), or None when the rule does not see it."""
        rel = self._inside(path)
        if rel is None or not rel:
            return rel
        if self._ignored.excluded(rel):
            return None
        if self._included is not None and not self._included.excluded(rel):  # include: a match is what counts
            return None
        return rel

    def destination(self, rel: str) -> str:
        """Where a file `rel` (relative to the rule's path) goes in the container."""
        assert self.target is not None
        return posixpath.join(self.target, rel) if rel else self.target


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def rules_of(data: Mapping[str, Any], services: Iterable[str]) -> list[Rule]:
    """The watch rules of `services` in a canonical project, in file order."""
    rules = []
    for name in services:
        for entry in ((data.get("services") or {}).get(name, {}).get("develop") or {}).get("watch") or ():
            hook = entry.get("exec") or {}
            command = hook.get("command")
            env = hook.get("environment") or {}
            rules.append(Rule(name, os.path.normpath(entry["path"]), entry["action"], entry.get("target"),
                              _strings(entry.get("ignore")), _strings(entry.get("include")),
                              tuple(command) if isinstance(command, list) else _strings(command),
                              hook.get("user"), hook.get("working_dir"),
                              tuple(f"{k}={v}" for k, v in env.items()) if isinstance(env, dict) else _strings(env),
                              bool(hook.get("privileged")), bool(entry.get("initial_sync"))))
    return rules


def scan(rules: Iterable[Rule]) -> dict[str, tuple[int, int]]:
    """Every file the rules see, with its modification time and size (files only: an empty directory is nothing
    to copy, and an ignored file's coming changes its directory's time)."""
    found: dict[str, tuple[int, int]] = {}
    for rule in rules:
        try:
            top = os.stat(rule.path)
        except OSError:
            continue
        if not os.path.isdir(rule.path):
            found[rule.path] = (top.st_mtime_ns, top.st_size)
            continue
        for directory, subdirs, files in os.walk(rule.path):
            subdirs[:] = [d for d in subdirs if rule.looks_into(os.path.join(directory, d))]
            for name in files:
                path = os.path.join(directory, name)
                if rule.relative(path) is None:
                    continue
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                found[path] = (info.st_mtime_ns, info.st_size)
    return found


def differences(before: Mapping[str, tuple[int, int]], after: Mapping[str, tuple[int, int]]) -> set[str]:
    """Paths made, changed or removed between two scans."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@dataclass
class Work:
    """What changes ask of one service."""

    rebuild: bool = False
    copies: dict[str, str] = field(default_factory=dict)  # host file -> container path (sync)
    removals: set[str] = field(default_factory=set)       # container paths whose host file went
    restart: bool = False
    commands: list[Rule] = field(default_factory=list)  # the sync+exec rules whose command runs
    changes: int = 0


def plan(rules: Iterable[Rule], changed: Iterable[str], exists: Any = os.path.isfile) -> dict[str, Work]:
    """By service, what `changed` paths ask for (see the module's docstring); services no rule sees are absent."""
    out: dict[str, Work] = {}
    changed = sorted(changed)
    for rule in rules:
        seen = [(path, rel) for path in changed if (rel := rule.relative(path)) is not None]
        if not seen:
            continue
        work = out.setdefault(rule.service, Work())
        work.changes += len(seen)
        if rule.action == "rebuild":
            work.rebuild = True
        if rule.action in SYNCS and rule.target:
            for path, rel in seen:
                if exists(path):
                    work.copies[path] = rule.destination(rel)
                elif not os.path.isdir(path):
                    work.removals.add(rule.destination(rel))
        if rule.action in RESTARTS:
            work.restart = True
        if rule.action == "sync+exec" and rule.exec_command and rule not in work.commands:
            work.commands.append(rule)
    return out
