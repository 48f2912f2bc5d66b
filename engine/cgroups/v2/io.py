"""v2 io: weight and per-device limits.

The weight goes to `io.bfq.weight` unconverted when the BFQ scheduler offers it (BFQ
takes 1..1000, as blkio did), otherwise to `io.weight` converted to 1..10000
(`blkio_weight_to_io_weight`). Per-device throttles are gathered into one
`io.max` line per device: `8:0 rbps=1048576 wiops=100`.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import BlockIO, Resources, blkio_weight_to_io_weight

_KEYS = {
    "throttle_read_bps_device": "rbps",
    "throttle_write_bps_device": "wbps",
    "throttle_read_iops_device": "riops",
    "throttle_write_iops_device": "wiops",
}


def apply(cgroup: Path, resources: Resources) -> None:
    block = resources.block_io
    if block is None:
        return
    _weights(cgroup, block)
    for device, limits in max_lines(block).items():
        fs.write(cgroup / "io.max", f"{device} {limits}")


def _weights(cgroup: Path, block: BlockIO) -> None:
    bfq = cgroup / "io.bfq.weight"
    if bfq.exists():
        if block.weight is not None:
            fs.write(bfq, block.weight)
        for device in block.weight_device:
            fs.write(bfq, f"{device.major}:{device.minor} {device.weight}")
        return
    if block.weight is not None:
        fs.write(cgroup / "io.weight", f"default {blkio_weight_to_io_weight(block.weight)}")
    for device in block.weight_device:
        fs.write(cgroup / "io.weight", f"{device.major}:{device.minor} {blkio_weight_to_io_weight(device.weight)}")


def max_lines(block: BlockIO) -> dict[str, str]:
    """`major:minor` -> `rbps=... wbps=...`, the keys in a fixed order."""
    per_device: dict[str, list[str]] = {}
    for attr, key in _KEYS.items():
        for device in getattr(block, attr):
            per_device.setdefault(f"{device.major}:{device.minor}", []).append(f"{key}={device.rate}")
    return {device: " ".join(limits) for device, limits in per_device.items()}
