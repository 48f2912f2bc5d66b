"""What `pycompose pull` and `push` do per service, decided as Docker Compose decides it (pure parts)."""

from __future__ import annotations

from pathlib import Path

from compose.cli.pull_cmd import Choice, choose, selected
from compose.cli.push_cmd import pushes
from tests.unit.compose.test_graph import load_project

STACK = """
    services:
      web: {image: "reg:5000/web:1", depends_on: [db]}
      db: {image: "postgres:16"}
      latest: {image: busybox}
      twin: {image: "reg:5000/web:1"}
      made: {build: .}
      both: {build: {context: ., tags: ["reg:5000/both:extra"]}, image: "reg:5000/both:1"}
      never: {image: "x:1", pull_policy: never}
      missing: {image: "y:1", pull_policy: missing}
"""


def test_choices(tmp_path: Path) -> None:
    project = load_project(tmp_path, STACK)
    everything = selected(project, (), include_deps=False)
    here = {"postgres:16", "busybox", "y:1"}
    assert choose(project, everything, here.__contains__) == [
        Choice("web", "reg:5000/web:1"), Choice("db", "postgres:16"), Choice("latest", "busybox"),
        Choice("twin", None, "Skipped - Image is already being pulled by web"),
        Choice("made", None, "Skipped - No image to be pulled"), Choice("both", "reg:5000/both:1"),
        Choice("never", None, "Skipped"), Choice("missing", None, "Skipped - Image is already present locally")]
    missing = choose(project, ["db", "latest", "both"], here.__contains__, policy="missing", ignore_buildable=True)
    assert missing == [Choice("db", None, "Skipped - Image is already present locally"),
                       Choice("latest", "busybox"),  # `latest` is never taken as present
                       Choice("both", None, "Skipped - Image can be built")]
    assert selected(project, ["web"], include_deps=False) == ["web"]
    assert selected(project, ["web"], include_deps=True) == ["web", "db"]


def test_pushes_only_built_images_with_a_name(tmp_path: Path) -> None:
    project = load_project(tmp_path, STACK)
    work, skipped = pushes(project, list(project.services))
    assert work == [("both", "reg:5000/both:1"), ("both", "reg:5000/both:extra")]
    assert skipped == ["web", "db", "latest", "twin", "made", "never", "missing"]
