"""The image commands' output shapes: Docker's sizes, ages and tabwriter tables (templates: test_formats.py)."""

from datetime import UTC, datetime

from compose.cli import render_images as render


def test_sizes_are_decimal_with_three_significant_digits():
    assert [render.human_size(n) for n in (0, 100, 1234, 4_261_000, 1_500_000_000)] == [
        "0B", "100B", "1.23kB", "4.26MB", "1.5GB"]


def test_ages_read_as_docker_writes_them():
    cases = {0.5: "Less than a second", 1: "1 second", 42: "42 seconds", 61: "About a minute", 600: "10 minutes",
             3600: "About an hour", 5 * 3600: "5 hours", 3 * 86400: "3 days", 20 * 86400: "2 weeks",
             90 * 86400: "3 months", 800 * 86400: "2 years"}
    assert {s: render.human_duration(s) for s in cases} == cases
    now = datetime(2024, 1, 1, 0, 1, tzinfo=UTC)
    assert render.since("2024-01-01T00:00:00Z", now) == "About a minute ago"
    assert render.since("2024-01-01T00:00:00.123456789Z", now) == "59 seconds ago"
    assert render.since(None) == "N/A"


def test_tables_pad_like_tabwriter():
    text = render.table(["REPOSITORY", "TAG", "SIZE"], [["busybox", "latest", "4.26MB"], ["a", "b", "0B"]])
    assert text.splitlines() == ["REPOSITORY   TAG       SIZE",
                                 "busybox      latest    4.26MB",
                                 "a            b         0B"]
