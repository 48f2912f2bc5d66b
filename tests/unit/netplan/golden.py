"""Compare text with a file under tests/golden/netplan/; PYCOMPOSE_UPDATE_GOLDEN=1 rewrites the files."""

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "netplan"


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PYCOMPOSE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing; run with PYCOMPOSE_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(), f"rendered text differs from {path}"
