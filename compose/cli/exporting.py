"""Where `container export` and compose's `export` write the tar stream: a file (`-o`), or stdout unless
stdout is a terminal (Docker's refusal: "cowardly refusing to save to a terminal")."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.containers.service import ContainerService


def write_export(svc: ContainerService, ref: str, output: str | None) -> None:
    from engine.containers.errors import ContainerInvalid
    from engine.containers.export import export

    if output is None:
        if sys.stdout.isatty():
            raise ContainerInvalid("cowardly refusing to save to a terminal. Use the -o flag or redirect")
        sys.stdout.flush()
        export(svc, ref, sys.stdout.buffer)
        return
    temporary = f"{output}.pycompose-{os.getpid()}"
    try:
        with open(temporary, "wb") as out:
            export(svc, ref, out)
        os.replace(temporary, output)
    except OSError as err:
        raise ContainerInvalid(f"export to `{output}`: {err.strerror or err}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
