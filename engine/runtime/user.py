"""The user a container process runs as: groups first, then gid, then uid (after which it could not)."""

from __future__ import annotations

import os

from engine.runtime.errors import SetupFailed
from engine.runtime.spec import User


def switch(user: User) -> None:
    try:
        os.setgroups(list(user.additional_gids))
        os.setresgid(user.gid, user.gid, user.gid)
        os.setresuid(user.uid, user.uid, user.uid)
    except OSError as e:
        raise SetupFailed(f"switch to user `{user.uid}:{user.gid}`: {e.strerror}") from None
    if user.umask is not None:
        os.umask(user.umask)


def become_root() -> None:
    """In a user namespace just made, once its maps are written: uid and gid 0 there (runc does the same)."""
    try:
        os.setresgid(0, 0, 0)
        os.setresuid(0, 0, 0)
    except OSError as e:
        raise SetupFailed(f"become root in the user namespace: {e.strerror}") from None


def parse(text: str) -> tuple[int, int | None]:
    """`exec -u` takes `uid[:gid]`, numbers only (the container's passwd is not read)."""
    uid, _, gid = text.partition(":")
    try:
        return int(uid), (int(gid) if gid else None)
    except ValueError:
        from engine.runtime.errors import BundleInvalid
        raise BundleInvalid(f"user `{text}`: expected uid[:gid] as numbers") from None
