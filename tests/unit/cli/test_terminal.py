"""compose.cli.terminal's pure parts: Docker's detach keys, and spotting them in what is typed."""

from __future__ import annotations

import pytest

from compose.cli.terminal import Escape, TerminalError, detach_keys


def test_detach_keys_read_as_docker_reads_them():
    assert detach_keys("ctrl-p,ctrl-q") == b"\x10\x11"
    assert detach_keys("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_") == b"\x00\x1b\x1c\x1d\x1e\x1f"
    assert detach_keys("a,DEL,ctrl-z") == b"a\x7f\x1a"


def test_unknown_detach_keys_are_named():
    with pytest.raises(TerminalError, match="invalid detach keys `ctrl-p,ctrl-foo`: unknown key `ctrl-foo`"):
        detach_keys("ctrl-p,ctrl-foo")


def test_the_sequence_detaches_and_what_came_before_passes():
    escape = Escape(b"\x10\x11")
    assert escape.feed(b"ls\r\x10\x11") == (b"ls\r", True)


def test_a_broken_sequence_lets_its_bytes_through_in_order():
    escape = Escape(b"\x10\x11")
    assert escape.feed(b"a\x10") == (b"a", False)  # held back: it may be the start
    assert escape.feed(b"b") == (b"\x10b", False)
    assert escape.feed(b"\x10\x10\x11") == (b"\x10", True)


def test_the_sequence_split_across_reads():
    escape = Escape(b"\x10\x11")
    assert escape.feed(b"\x10") == (b"", False)
    assert escape.feed(b"\x11") == (b"", True)
