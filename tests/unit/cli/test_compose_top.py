"""`pycompose top` lays its table out as Go's tabwriter does in Docker Compose (minwidth 4, padding 2)."""

from compose.cli.top_cmd import tabwrite


def test_tabwrite() -> None:
    text = tabwrite([["SERVICE", "#", "UID", "CMD"], ["db", "1", "root", "sleep 300"], ["web", "12", "x", "httpd"]])
    assert text.splitlines() == [
        "SERVICE  #   UID   CMD",
        "db       1   root  sleep 300",
        "web      12  x     httpd",
    ]
    assert tabwrite([]) == ""
