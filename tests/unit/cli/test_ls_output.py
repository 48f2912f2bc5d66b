"""`pycompose ls`'s pure parts: Compose's STATUS counts, CONFIG FILES, the name filter and the padded table."""

import pytest

from compose.cli import ls_cmd as ls
from compose.plan import labels as L


def labels(project: str, files: str = "/p/compose.yaml") -> dict[str, str]:
    return {L.PROJECT: project, L.CONFIG_HASH: "abc", L.CONFIG_FILES: files}


def test_status_counts_each_state_sorted():
    assert ls.combined_status(["running", "exited", "running"]) == "exited(1), running(2)"
    assert ls.combined_status(["running"]) == "running(1)"
    assert ls.combined_status([]) == ""


def test_config_files_each_once_in_order_met():
    assert ls.combined_files([labels("a", "/p/a.yaml,/p/b.yaml"), labels("a", "/p/b.yaml,/p/c.yaml")]) == \
        "/p/a.yaml,/p/b.yaml,/p/c.yaml"
    assert ls.combined_files([labels("a"), {L.PROJECT: "a"}]) == "N/A"


def test_stacks_group_by_project_and_leave_out_foreign_containers():
    found = ls.stacks([(labels("web"), "running"), (labels("api"), "exited"), (labels("web"), "exited"),
                       ({"other": "x"}, "running"), ({L.PROJECT: "nohash"}, "running")])
    assert found == [ls.Stack("api", "exited(1)", "/p/compose.yaml"),
                     ls.Stack("web", "exited(1), running(1)", "/p/compose.yaml")]


def test_name_filter_is_docker_s_regular_expression_match():
    assert ls.parse_filters(["name=dem", "name=^x$"]) == {"name": ["dem", "^x$"]}
    assert ls.matches(["dem"], "demo") and ls.matches(["^x$"], "x") and ls.matches(["a[", "demo"], "demo")
    assert not ls.matches(["^emo"], "demo")
    with pytest.raises(ls.BadFilter, match="invalid filter 'status'"):
        ls.parse_filters(["status=running"])
    with pytest.raises(ls.BadFilter, match="expected name=value"):
        ls.parse_filters(["demo"])


def test_table_pads_like_compose_s_tabwriter():
    text = ls.table([("NAME", "STATUS", "CONFIG FILES"), ("demo", "exited(1), running(2)", "/p/compose.yaml")])
    assert text.splitlines() == ["NAME                STATUS                  CONFIG FILES",
                                 "demo                exited(1), running(2)   /p/compose.yaml"]
