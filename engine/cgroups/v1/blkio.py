"""v1 blkio: proportional weight and per-device throttles.

The weight goes to `blkio.weight` (CFQ) or, on kernels whose BFQ scheduler took its
place, `blkio.bfq.weight`; both take 10..1000 (BFQ: 1..1000), per device in `<file>_device`. Where neither exists
(no proportional scheduler on any disk), a weight cannot be honoured and is skipped,
as Docker skips it. Throttles are one `major:minor rate` write per device.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import Resources

_THROTTLES = {
    "throttle_read_bps_device": "blkio.throttle.read_bps_device",
    "throttle_write_bps_device": "blkio.throttle.write_bps_device",
    "throttle_read_iops_device": "blkio.throttle.read_iops_device",
    "throttle_write_iops_device": "blkio.throttle.write_iops_device",
}


def _weight_file(cgroup: Path) -> Path | None:
    for name in ("blkio.weight", "blkio.bfq.weight"):
        if (cgroup / name).exists():
            return cgroup / name
    return None


def apply(cgroup: Path, resources: Resources) -> None:
    block = resources.block_io
    if block is None:
        return
    weight_file = _weight_file(cgroup)
    if weight_file is not None:
        if block.weight is not None:
            fs.write(weight_file, block.weight)
        device_file = weight_file.with_name(weight_file.name + "_device")  # blkio[.bfq].weight_device
        for device in block.weight_device:
            fs.write(device_file, f"{device.major}:{device.minor} {device.weight}")
    for attr, name in _THROTTLES.items():
        for device in getattr(block, attr):
            fs.write(cgroup / name, f"{device.major}:{device.minor} {device.rate}")
