"""The parse phase: YAML as Docker Compose reads it, positions, and bounded cost."""

import time

import pytest

from compose.errors import FileError, Position
from compose.load.parse import MAX_DEPTH, parse


def test_plain_scalars_follow_yaml_1_2_core_schema():
    data = parse("a: yes\nb: on\nc: 80:80\nd: 0x1f\ne: 0o17\nf: 1.5\ng: ~\nh: true\ni: '1'\nj: 1_000\n", "c.yaml").data
    assert data == {"a": "yes", "b": "on", "c": "80:80", "d": 31, "e": 15, "f": 1.5, "g": None, "h": True,
                    "i": "1", "j": 1000}


def test_positions_of_keys_and_items():
    parsed = parse("services:\n  web:\n    ports:\n      - 80:80\n      - 443\n", "compose.yaml")
    assert parsed.positions[("services", "web")] == Position("compose.yaml", 2, 3)
    assert parsed.positions[("services", "web", "ports", 1)] == Position("compose.yaml", 5, 9)


def test_merge_keys_and_anchors_copy_values():
    parsed = parse("x: &b {image: a, env: {K: 1}}\ns:\n  <<: *b\n  image: c\n", "f")
    assert parsed.data["s"] == {"image": "c", "env": {"K": 1}}
    assert parsed.data["s"]["env"] is not parsed.data["x"]["env"]


def test_merge_key_with_a_list_prefers_the_first_source():
    parsed = parse("a: &a {k: 1, x: 1}\nb: &b {k: 2, y: 2}\nc:\n  <<: [*a, *b]\n", "f")
    assert parsed.data["c"] == {"k": 1, "x": 1, "y": 2}


def test_reset_and_override_tags_are_recorded():
    parsed = parse("services:\n  web:\n    ports: !reset []\n    environment: !override {A: 1}\n", "f")
    assert parsed.data == {"services": {"web": {"environment": {"A": 1}}}}
    assert parsed.resets == {("services", "web", "ports")}
    assert parsed.overrides == {("services", "web", "environment")}


def test_duplicate_key_names_both_lines():
    with pytest.raises(FileError) as caught:
        parse("services:\n  a: {}\n  a: {}\n", "compose.yaml")
    assert str(caught.value) == "compose.yaml:3:3: services.a: key 'a' is defined twice (first at line 2)"


def test_syntax_error_names_file_and_line():
    with pytest.raises(FileError) as caught:
        parse("services:\n  web: [1\n  db: 2\n", "compose.yaml")
    assert str(caught.value).startswith("compose.yaml:3:")
    assert "invalid YAML" in str(caught.value)


def test_unknown_tag_is_refused():
    with pytest.raises(FileError, match="unknown YAML tag '!weird'"):
        parse("a: !weird 1\n", "f")


def test_top_level_must_be_a_mapping():
    with pytest.raises(FileError, match="must be a mapping at the top level, not a sequence"):
        parse("- a\n- b\n", "f")


def test_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    started = time.monotonic()
    with pytest.raises(FileError, match="alias bomb"):
        parse("\n".join(lines) + "\n", "bomb.yaml")
    assert time.monotonic() - started < 5


def test_deep_nesting_is_refused():
    text = "a: " + "[" * (MAX_DEPTH + 10) + "]" * (MAX_DEPTH + 10) + "\n"
    with pytest.raises(FileError, match="nested deeper"):
        parse(text, "deep.yaml")


def test_several_documents_are_refused():
    with pytest.raises(FileError, match="several YAML documents"):
        parse("a: 1\n---\nb: 2\n", "f")


def test_unquoted_timestamps_are_times_and_impossible_dates_strings():
    from compose.load.timestamps import go_time

    data = parse("a: 2024-01-01\nb: 2024-01-01T10:20:30.5+02:00\nc: 2024-13-45\nd: '2024-01-01'\n", "f").data
    assert go_time(data["a"]) == "2024-01-01T00:00:00Z"
    assert go_time(data["b"]) == "2024-01-01T10:20:30.5+02:00"
    assert data["c"] == "2024-13-45" and data["d"] == "2024-01-01"


def test_an_overflowing_float_stays_a_string():
    assert parse("a: 1e999\n", "f").data == {"a": "1e999"}
