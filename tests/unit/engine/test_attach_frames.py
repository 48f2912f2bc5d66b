"""Docker's stdcopy frames: written by the supervisor (engine.supervisor.attach), read by the client."""

from __future__ import annotations

from engine.containers.attach import Demux
from engine.supervisor.attach import frame


def test_a_frame_is_an_8_byte_header_and_its_payload():
    assert frame("stdout", b"hi") == b"\x01\x00\x00\x00\x00\x00\x00\x02hi"
    assert frame("stderr", b"") == b"\x02\x00\x00\x00\x00\x00\x00\x00"


def test_frames_cut_anywhere_come_out_whole_and_in_order():
    stream = frame("stdout", b"hello\n") + frame("stderr", b"oops\n") + frame("stdout", b"x" * 70000)
    demux = Demux()
    out = []
    for i in range(0, len(stream), 5):
        out += demux.feed(stream[i:i + 5])
    assert out == [("stdout", b"hello\n"), ("stderr", b"oops\n"), ("stdout", b"x" * 70000)]
    assert demux.feed(b"") == []
