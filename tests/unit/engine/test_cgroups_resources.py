"""resources.py: the OCI subset, its JSON round trip, and the Docker unit conversions."""

import pytest

from engine.cgroups.errors import CgroupLimitInvalid
from engine.cgroups.resources import (
    DEFAULT_DEVICE_RULES,
    BlockIO,
    Cpu,
    DeviceRule,
    Memory,
    Pids,
    Resources,
    ThrottleDevice,
    WeightDevice,
    blkio_weight_to_io_weight,
    cpus_to_quota,
    device_numbers,
    from_docker,
    parse_bytes,
    shares_to_weight,
    swap_to_v2,
    weight_to_shares,
)


@pytest.mark.parametrize(("shares", "weight"), [(2, 1), (1024, 39), (512, 20), (262144, 10000), (0, 1), (10**6, 10000)])
def test_shares_to_weight_is_the_linear_formula_clamped(shares, weight):
    assert shares_to_weight(shares) == weight


def test_weight_to_shares_inverts_shares_to_weight_for_every_weight():
    for weight in range(1, 10001):
        assert shares_to_weight(weight_to_shares(weight)) == weight


@pytest.mark.parametrize(("blkio", "io"), [(10, 1), (1000, 10000), (500, 4950), (5, 1)])
def test_blkio_weight_to_io_weight(blkio, io):
    assert blkio_weight_to_io_weight(blkio) == io


def test_cpus_to_quota():
    assert cpus_to_quota(0.5) == (50000, 100000)
    assert cpus_to_quota(1.5) == (150000, 100000)
    assert cpus_to_quota(2, period=50000) == (100000, 50000)
    with pytest.raises(CgroupLimitInvalid, match="below the kernel's minimum"):
        cpus_to_quota(0.001)
    with pytest.raises(CgroupLimitInvalid, match="more than 0"):
        cpus_to_quota(0)


def test_swap_to_v2_subtracts_the_memory_limit():
    assert swap_to_v2(Memory(limit=100, swap=300)) == 200
    assert swap_to_v2(Memory(limit=100, swap=100)) == 0
    assert swap_to_v2(Memory(limit=100, swap=-1)) == -1
    assert swap_to_v2(Memory(limit=100)) is None
    with pytest.raises(CgroupLimitInvalid, match="needs a memory limit"):
        swap_to_v2(Memory(swap=300))
    with pytest.raises(CgroupLimitInvalid, match="below the memory limit"):
        swap_to_v2(Memory(limit=300, swap=100))


@pytest.mark.parametrize(("text", "size"), [("32m", 32 << 20), ("1g", 1 << 30), ("64kb", 64 << 10), ("100", 100),
                                            ("1.5G", 3 << 29), (7, 7), ("2b", 2)])
def test_parse_bytes(text, size):
    assert parse_bytes(text) == size


def test_parse_bytes_refuses_words():
    with pytest.raises(CgroupLimitInvalid, match="'lots'"):
        parse_bytes("lots")


def test_from_docker_applies_dockers_swap_default_and_cpus():
    res = from_docker(cpus=0.5, mem_limit="32m", pids_limit=64, blkio_weight=300, cpuset_cpus="0")
    assert res.memory == Memory(limit=32 << 20, swap=64 << 20)
    assert res.cpu == Cpu(quota=50000, period=100000, cpus="0")
    assert res.pids == Pids(64)
    assert res.block_io == BlockIO(weight=300)
    assert res.devices == DEFAULT_DEVICE_RULES


def test_from_docker_memswap_forms():
    assert from_docker(mem_limit="32m", memswap_limit=-1).memory.swap == -1
    assert from_docker(mem_limit="32m", memswap_limit="32m").memory.swap == 32 << 20
    with pytest.raises(CgroupLimitInvalid, match="at least mem_limit"):
        from_docker(mem_limit="64m", memswap_limit="32m")


def test_from_docker_without_options_limits_nothing_but_devices():
    assert from_docker() == Resources(devices=DEFAULT_DEVICE_RULES)


OCI = {
    "memory": {"limit": 33554432, "reservation": 1048576, "swap": 67108864, "swappiness": 0,
               "disableOOMKiller": False},
    "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0-1", "mems": "0"},
    "pids": {"limit": 32},
    "blockIO": {"weight": 500, "weightDevice": [{"major": 8, "minor": 0, "weight": 200}],
                "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                "throttleWriteIopsDevice": [{"major": 8, "minor": 16, "rate": 100}]},
    "devices": [{"allow": False, "access": "rwm"},
                {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
    "unified": {"memory.high": "50000000"},
}


def test_from_oci_reads_the_spec_fields():
    res = Resources.from_oci(OCI)
    assert res.memory == Memory(limit=33554432, reservation=1048576, swap=67108864, swappiness=0,
                                disable_oom_killer=False)
    assert res.cpu == Cpu(shares=1024, quota=50000, period=100000, cpus="0-1", mems="0")
    assert res.block_io == BlockIO(weight=500, weight_device=(WeightDevice(8, 0, 200),),
                                   throttle_read_bps_device=(ThrottleDevice(8, 0, 1048576),),
                                   throttle_write_iops_device=(ThrottleDevice(8, 16, 100),))
    assert res.devices == (DeviceRule(allow=False), DeviceRule(allow=True, type="c", major=1, minor=3, access="rw"))
    assert res.unified == (("memory.high", "50000000"),)


def test_to_oci_round_trips():
    expected = {**OCI, "devices": [{"allow": False, "type": "a", "access": "rwm"}, OCI["devices"][1]]}
    assert Resources.from_oci(OCI).to_oci() == expected
    assert Resources.from_oci(expected) == Resources.from_oci(OCI)


def test_device_rule_lines():
    assert str(DeviceRule(allow=True, type="c", major=1, minor=3, access="rwm")) == "c 1:3 rwm"
    assert str(DeviceRule(allow=True, type="c", major=136, access="rwm")) == "c 136:* rwm"
    assert str(DeviceRule(allow=False)) == "a *:* rwm"


def test_resources_are_frozen():
    with pytest.raises(AttributeError):
        Resources().memory = Memory()  # type: ignore[misc]


def test_device_numbers_and_per_device_blkio_options():
    assert device_numbers("/dev/null") == (1, 3)
    res = from_docker(blkio_weight_device=(("/dev/null", 200),), device_read_bps=(("/dev/zero", "1mb"),),
                      device_write_iops=(("/dev/null", 30),))
    assert res.block_io == BlockIO(weight_device=(WeightDevice(1, 3, 200),),
                                   throttle_read_bps_device=(ThrottleDevice(1, 5, 1 << 20),),
                                   throttle_write_iops_device=(ThrottleDevice(1, 3, 30),))


@pytest.mark.parametrize(("path", "why"), [("/nonexistent-device", "No such file"), ("/", "not a device node")])
def test_device_numbers_refuses_what_is_not_a_device(path, why):
    with pytest.raises(CgroupLimitInvalid, match=why):
        device_numbers(path)
