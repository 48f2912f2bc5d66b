"""The build cache: a step's key -> the state it made, one small JSON file per key under `<root>/build-cache/`.

A key is the sha256 of what decides a step's result: the parent state's ID (its config
digest: layers and history), the instruction after substitution (and, for RUN, the build
ARGs it sees) and, for COPY/ADD, the content of its sources (`context.digest_sources`).
An entry keeps the whole resulting state (config object and layer descriptors) and holds
its layers in the layer store as owner `buildcache-<key>`, so removing the image built
from them does not remove the trees. An entry whose layer blobs are gone (the last image
using them was removed) is a miss, and is replaced by the rebuilt step.

    cache = BuildCache(state_root, images)
    hit = cache.get(key)            # State | None
    cache.put(key, state)
    cache.prune()                   # (entries removed, bytes reclaimed); RUN's cache mounts go too
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.build.state import State, ensure_layers
from engine.images.images import ImageService
from engine.images.manifests import Descriptor
from pycompose import files

OWNER = "buildcache-"


def key_of(parent: str, instruction: str, content: str = "") -> str:
    text = json.dumps({"parent": parent, "instruction": instruction, "content": content}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class BuildCache:
    def __init__(self, state_root: Path, images: ImageService):
        self.root = Path(state_root) / "build-cache"
        self.images = images

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def get(self, key: str) -> State | None:
        try:
            obj = json.loads(self._path(key).read_bytes())
        except (OSError, ValueError):
            return None
        state = _state(obj)
        if state is None or not state.usable(self.images):
            return None
        return state

    def put(self, key: str, state: State) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        owner = OWNER + key
        with files.locked(self.root / ".lock"):
            old = self._read(key)
            ensure_layers(self.images, state, owner)
            obj = {"config": state.config, "media_type": state.media_type,
                   "layers": [d.to_json() for d in state.layers]}
            # not durable: a crash may lose an entry (a miss, the step runs again) or leave it torn (unreadable
            # JSON: a miss too), never a wrong one; its layers' blobs are durable, written before it
            files.write_atomic(self._path(key), json.dumps(obj, sort_keys=True).encode(), durable=False)
            if old is not None:
                self._release(owner, set(old.diff_ids) - set(state.diff_ids))

    def _read(self, key: str) -> State | None:
        try:
            return _state(json.loads(self._path(key).read_bytes()))
        except (OSError, ValueError):
            return None

    def _release(self, owner: str, diff_ids: Iterable[str]) -> list[str]:
        return [d for d in diff_ids if self.images.layers.release(d, owner)]

    def keys(self) -> list[str]:
        try:
            return sorted(p.name.removesuffix(".json") for p in self.root.glob("*.json"))
        except OSError:
            return []

    def prune(self) -> tuple[int, int]:
        """Remove every entry, the layers only the cache held, and their blobs no image uses; (entries, bytes)."""
        if not self.root.exists():
            return 0, 0
        reclaimed = 0
        removed = 0
        with files.locked(self.root / ".lock"):
            in_use = _blobs_in_use(self.images)
            doomed: dict[str, Descriptor] = {}
            for key in self.keys():
                state = self._read(key)
                if state is not None:
                    for diff_id in dict.fromkeys(state.diff_ids):
                        size = self.images.layers.content_size(diff_id) or 0
                        if self.images.layers.release(diff_id, OWNER + key):
                            reclaimed += size
                    doomed.update({d.digest: d for d in state.layers})
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._path(key))
                removed += 1
            for digest, desc in doomed.items():
                if digest not in in_use and self.images.store.has(digest):
                    self.images.store.delete(digest)
                    reclaimed += desc.size
        mounts, size = self._prune_mounts()
        return removed + mounts, reclaimed + size

    def _prune_mounts(self) -> tuple[int, int]:
        """Remove the `RUN --mount=type=cache` directories that no running step holds; (directories, bytes)."""
        import fcntl
        import shutil

        removed = size = 0
        for home in sorted((self.root / "mounts").glob("*")) if (self.root / "mounts").is_dir() else []:
            fd = os.open(home / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a step is using it
                size += _tree_size(home)
                shutil.rmtree(home, ignore_errors=True)
                removed += 1
            finally:
                os.close(fd)
        return removed, size


def _tree_size(path: Path) -> int:
    total = 0
    for directory, _, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(directory, name)).st_size
    return total


def _blobs_in_use(images: ImageService) -> set[str]:
    return {d.digest for image in images.list() for d in (image.manifest.config, image.manifest.descriptor(),
                                                          *image.manifest.layers)}


def _state(obj: Any) -> State | None:
    try:
        layers = tuple(Descriptor.from_json(d, "build cache") for d in obj["layers"])
        return State(obj["config"], layers, obj.get("media_type") or "")
    except (KeyError, TypeError, ValueError):
        return None
