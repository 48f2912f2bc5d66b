"""engine.cgroups.v2.devices: device rules assembled into an eBPF program, run here by a tiny interpreter.

The interpreter knows exactly the instructions the assembler emits and refuses any
other, so a test reads what the kernel's program would answer for (type, access,
major, minor): 1 allow, 0 deny.
"""

from __future__ import annotations

import struct
import sys

import pytest

from engine.cgroups.resources import DEFAULT_DEVICE_RULES, DeviceRule
from engine.cgroups.v2 import devices

BLOCK, CHAR = devices.DEV_BLOCK, devices.DEV_CHAR
R, W, M = 2, 4, 1


def run(program: bytes, dev_type: int, access: int, major: int, minor: int) -> int:
    ctx = struct.pack("=III", access << 16 | dev_type, major, minor)
    regs = [0] * 11
    pc, steps = 0, 0
    while True:
        code, packed, off, imm = struct.unpack_from("=BBhi", program, pc * 8)
        dst, src = (packed & 0xF, packed >> 4) if sys.byteorder == "little" else (packed >> 4, packed & 0xF)
        pc, steps = pc + 1, steps + 1
        assert steps < 1000 and off >= 0, "the program must only jump forward"
        u32 = imm & 0xFFFFFFFF
        if code == devices.LDX_W:
            assert src == 1 and off in (0, 4, 8)
            regs[dst] = struct.unpack_from("=I", ctx, off)[0]
        elif code == devices.MOV32_X:
            regs[dst] = regs[src]
        elif code == devices.MOV32_K:
            regs[dst] = u32
        elif code == devices.AND32_K:
            regs[dst] &= u32
        elif code == devices.RSH32_K:
            regs[dst] >>= imm
        elif code == devices.JNE_K:
            pc += off if regs[dst] != u32 else 0
        elif code == devices.JEQ_K:
            pc += off if regs[dst] == u32 else 0
        elif code == devices.EXIT:
            return regs[0]
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")


DEFAULT = devices.assemble(DEFAULT_DEVICE_RULES)


@pytest.mark.parametrize(("device", "access", "verdict"), [
    ((CHAR, 1, 3), R | W, 1),      # /dev/null
    ((CHAR, 1, 9), R, 1),          # /dev/urandom
    ((CHAR, 136, 4), R | W, 1),    # a pty: minor is a wildcard
    ((CHAR, 10, 200), R | W, 1),   # /dev/net/tun
    ((CHAR, 1, 11), R, 0),         # /dev/kmsg
    ((BLOCK, 8, 0), R, 0),         # /dev/sda
    ((BLOCK, 8, 0), M, 1),         # mknod of any node is allowed ...
    ((CHAR, 1, 11), M, 1),
    ((CHAR, 1, 11), M | R, 0),     # ... but not opening it
])
def test_dockers_default_rules(device, access, verdict):
    dev_type, major, minor = device
    assert run(DEFAULT, dev_type, access, major, minor) == verdict


def test_a_later_rule_overrides_an_earlier_one():
    rules = (DeviceRule(False, "a"), DeviceRule(True, "c", 1, 3, "rwm"), DeviceRule(False, "c", 1, 3, "w"))
    program = devices.assemble(rules)
    assert run(program, CHAR, R, 1, 3) == 1
    assert run(program, CHAR, W, 1, 3) == 0
    assert run(program, CHAR, R | W, 1, 3) == 0  # any denied access refuses the request


def test_an_allow_rule_grants_only_its_access():
    program = devices.assemble((DeviceRule(False, "a"), DeviceRule(True, "c", 1, 3, "r")))
    assert [run(program, CHAR, a, 1, 3) for a in (R, W, R | W, M)] == [1, 0, 0, 0]


def test_an_all_devices_rule_resets_the_list():
    assert devices.effective(DEFAULT_DEVICE_RULES + (DeviceRule(True, "a"),)) == (True, [])
    program = devices.assemble((DeviceRule(False, "c", 1, 3), DeviceRule(True, "a"), DeviceRule(False, "b")))
    assert run(program, CHAR, R, 1, 3) == 1 and run(program, BLOCK, R, 8, 0) == 0


def test_without_a_reset_the_default_is_allow():
    program = devices.assemble((DeviceRule(False, "c", 1, 11, "rwm"),))
    assert run(program, CHAR, R, 1, 11) == 0 and run(program, CHAR, R, 1, 3) == 1
