"""Durations, sizes and scalars read and printed as Compose does."""

import pytest

from compose.load.canonical.units import (
    UnitError,
    canonical_duration,
    format_duration,
    go_float,
    go_string,
    parse_duration,
    parse_size,
)


@pytest.mark.parametrize(("given", "printed"), [
    ("1s", "1s"), ("90s", "1m30s"), ("1m", "1m0s"), ("3600s", "1h0m0s"), ("1.5s", "1.5s"),
    ("500ms", "500ms"), ("1us", "1µs"), ("1ns", "1ns"), ("0", "0s"), ("1.5h", "1h30m0s"), ("1d", "24h0m0s"),
    ("1w", "168h0m0s"), ("-1s", "-1s"), (".5s", "500ms"), ("1.s", "1s"), ("1h1ns", "1h0m0.000000001s"),
    ("1500us", "1.5ms"), ("5s5s", "10s"), ("+5s", "5s"), ("0.1ns", "0s"), ("2562047h", "2562047h0m0s"),
])
def test_durations_print_in_go_form(given, printed):
    assert canonical_duration(given) == printed
    assert canonical_duration(printed) == printed


@pytest.mark.parametrize(("given", "message"), [
    ("10", 'time: missing unit in duration "10"'),
    ("1y", 'time: unknown unit "y" in duration "1y"'),
    ("1h-1s", 'time: unknown unit "h-" in duration "1h-1s"'),
    ("", 'time: invalid duration ""'),
    ("2562048h", 'time: invalid duration "2562048h"'),
    ("1 s", 'time: unknown unit " s" in duration "1 s"'),
])
def test_bad_durations(given, message):
    with pytest.raises(UnitError, match=message):
        parse_duration(given)


def test_format_duration_of_nanoseconds():
    assert format_duration(90 * 10**9) == "1m30s"
    assert format_duration(-1_500_000) == "-1.5ms"


@pytest.mark.parametrize(("given", "size"), [
    (1, 1), ("100", 100), ("1b", 1), ("1k", 1024), ("1KiB", 1024), ("1kb", 1024), ("1.5m", 1572864),
    ("1 g", 1 << 30), ("1t", 1 << 40), ("1p", 1 << 50), ("0.5k", 512), ("1e3", 1000), ("3.7b", 3),
    ("1e3k", 1024000), (".5k", 512), ("+1k", 1024), ("1.5 ", 1), (1.5, 0), (-1, -1),
    ("1000000000000000000000", -(1 << 63)),
])
def test_sizes(given, size):
    assert parse_size(given) == size


@pytest.mark.parametrize(("given", "message"), [
    ("1x", "invalid suffix: 'x'"), ("-1", "invalid size: '-1'"), ("k", "invalid size: 'k'"),
    ("1kk", "invalid suffix: 'kk'"), ("1ib", "invalid suffix: 'ib'"), ("0x10", "invalid syntax"),
    (" 1k", "invalid syntax"), ("1bb", "invalid suffix: 'bb'"),
])
def test_bad_sizes(given, message):
    with pytest.raises(UnitError, match=message):
        parse_size(given)


@pytest.mark.parametrize(("value", "text"), [
    (1234567.0, "1.234567e+06"), (123456.5, "123456.5"), (0.0001, "0.0001"), (0.00001, "1e-05"),
    (1e20, "1e+20"), (float("inf"), "+Inf"), (float("nan"), "NaN"), (-0.0, "-0"), (1000.0, "1000"), (1.5, "1.5"),
])
def test_floats_print_as_go_does(value, text):
    assert go_float(value) == text


def test_scalars_in_string_maps():
    assert [go_string(v) for v in (True, False, None, 16, 1.5, "x")] == ["true", "false", "", "16", "1.5", "x"]
