"""v2 devices: the device rules as an eBPF program attached to the cgroup, as cgroup v2 wants them.

cgroup v2 has no devices controller: each open or mknod of a device node runs the
BPF_PROG_TYPE_CGROUP_DEVICE programs attached to the process's cgroup (and its
ancestors), and is refused unless every one returns 1. `assemble` turns the rule
list into such a program with a small assembler of our own; `apply` loads it and
puts it in place of the cgroup's previous one (engine/cgroups/v2/bpf.py does the
bpf(2) calls). The manager calls it wherever the container's cgroup lives in a v2
hierarchy and no v1 devices controller is mounted (a pure v2 host).

The rules keep the v1 list's meaning:
- a rule of type `a` (all devices) resets the list: everything allowed or everything
  denied, the rules before it forgotten (Docker's lists start with `deny a *:* rwm`);
- a later rule overrides an earlier one, so the program tries the rules last to first,
  and the first that matches decides; none matching: the default;
- an allow rule matches a request whose access bits it all grants (`rw` for an open
  O_RDWR); a deny rule matches a request that asks for any access it denies.

The context the kernel passes (struct bpf_cgroup_dev_ctx) holds access_type (access
bits << 16 | device type), major and minor, three u32 at offsets 0, 4 and 8.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Iterable
from pathlib import Path

from engine.cgroups.resources import DeviceRule, Resources

# struct bpf_cgroup_dev_ctx's values.
DEV_BLOCK, DEV_CHAR = 1, 2
ACCESS_BITS = {"m": 1, "r": 2, "w": 4}
TYPES = {"b": DEV_BLOCK, "c": DEV_CHAR}

# The eBPF opcodes the program uses (class | operation | source).
LDX_W = 0x61      # dst = *(u32 *)(src + off)
MOV32_X = 0xBC    # dst = src
MOV32_K = 0xB4    # dst = imm
AND32_K = 0x54    # dst &= imm
RSH32_K = 0x74    # dst >>= imm
JNE_K = 0x55      # if dst != imm: pc += off
JEQ_K = 0x15      # if dst == imm: pc += off
EXIT = 0x95       # return r0

# Registers: r1 the context; r2 type, r3 access, r4 major, r5 minor; r6 scratch; r0 the verdict.
R0, R1, R2, R3, R4, R5, R6 = range(7)


def insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    """One eBPF instruction: opcode, the two 4-bit registers (dst first in memory order), offset, immediate."""
    regs = (src << 4) | dst if sys.byteorder == "little" else (dst << 4) | src
    return struct.pack("=BBhi", code, regs, off, imm)


PROLOGUE = (
    insn(LDX_W, R2, R1, 0),       # r2 = ctx->access_type
    insn(MOV32_X, R3, R2),        # r3 = r2
    insn(AND32_K, R2, imm=0xFFFF),  # r2 = device type
    insn(RSH32_K, R3, imm=16),    # r3 = requested access bits
    insn(LDX_W, R4, R1, 4),       # r4 = ctx->major
    insn(LDX_W, R5, R1, 8),       # r5 = ctx->minor
)


def effective(rules: Iterable[DeviceRule]) -> tuple[bool, list[DeviceRule]]:
    """(default verdict, the rules that still count, in order): an `a` rule resets what came before it."""
    default, kept = True, []
    for rule in rules:
        if rule.type == "a":
            default, kept = rule.allow, []
        else:
            kept.append(rule)
    return default, kept


def _access(access: str) -> int:
    return sum(ACCESS_BITS[ch] for ch in set(access) if ch in ACCESS_BITS)


def _block(rule: DeviceRule) -> list[bytes]:
    """One rule's instructions: checks that jump past the block when they fail, then the verdict."""
    items: list[bytes | tuple[int, int, int]] = [(JNE_K, R2, TYPES[rule.type])]  # a tuple: (jump, register, imm)
    access = _access(rule.access)
    if access != 7:
        items.append(insn(MOV32_X, R6, R3))
        if rule.allow:  # matched only when nothing outside the rule's access is asked for
            items += [insn(AND32_K, R6, imm=~access & 7), (JNE_K, R6, 0)]
        else:           # matched when any of the denied access is asked for
            items += [insn(AND32_K, R6, imm=access), (JEQ_K, R6, 0)]
    if rule.major is not None and rule.major >= 0:
        items.append((JNE_K, R4, rule.major))
    if rule.minor is not None and rule.minor >= 0:
        items.append((JNE_K, R5, rule.minor))
    items += [insn(MOV32_K, R0, imm=1 if rule.allow else 0), insn(EXIT)]
    size = len(items)  # a jump at i lands on i + 1 + off: past the block when off = size - i - 1
    return [item if isinstance(item, bytes) else insn(item[0], item[1], off=size - i - 1, imm=item[2])
            for i, item in enumerate(items)]


def assemble(rules: Iterable[DeviceRule]) -> bytes:
    """The device program for a rule list (v1 order and meaning, see the module's docstring)."""
    default, kept = effective(rules)
    program = list(PROLOGUE)
    for rule in reversed(kept):
        program += _block(rule)
    program += [insn(MOV32_K, R0, imm=1 if default else 0), insn(EXIT)]
    return b"".join(program)


def apply(cgroup: Path, resources: Resources) -> None:
    """Put the program of `resources.devices` on `cgroup` in place of its previous one; no rules: nothing.

    A directory not on cgroup2 (a unit test's fake tree) can hold no program and gets none.
    """
    from engine.cgroups.v2 import bpf

    if not resources.devices or not bpf.is_cgroup2(cgroup):
        return
    prog_fd = bpf.load_device_program(assemble(resources.devices))
    try:
        bpf.replace_device_program(cgroup, prog_fd)
    finally:
        os.close(prog_fd)
