"""`pycompose ls`: the compose projects that have containers on this engine, as Docker Compose lists them.

A project is a value of the `com.docker.compose.project` label on containers that carry a config hash
(Compose's test for its own containers); no compose file is read. Without `-a` only running
containers count, so a project whose containers are all stopped is left out.

    NAME                STATUS                  CONFIG FILES
    demo                exited(1), running(2)   /src/demo/compose.yaml

STATUS counts the containers per state, states sorted; CONFIG FILES joins the containers' config
files label, each file once. `--format json` prints one JSON array of {Name, Status, ConfigFiles};
`--format TEMPLATE` (or `table TEMPLATE`, `raw`) runs a Go template over each project's
`.Name`, `.Status` and `.ConfigFiles`, as Compose's projectContext has them.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

import typer

from compose.cli.tables import tabwriter
from compose.errors import ComposeError
from pycompose.errors import InvalidArgument

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

FILTERS = ("name",)
MIN_WIDTH, PADDING = 20, 3  # Compose's tabwriter
HEADERS = {"Name": "NAME", "Status": "STATUS", "ConfigFiles": "CONFIG FILES"}
RAW = "name: {{.Name}}\nstatus: {{.Status}}\nconfig_files: {{.ConfigFiles}}\n"


class BadFilter(ComposeError, InvalidArgument):
    pass


@dataclass(frozen=True)
class Stack:
    """One compose project as `ls` lists it: its name, status and config files."""

    Name: str
    Status: str
    ConfigFiles: str


def combined_status(states: Iterable[str]) -> str:
    """`exited(1), running(2)`: how many containers are in each state, states sorted."""
    counts = Counter(states)
    return ", ".join(f"{state}({counts[state]})" for state in sorted(counts))


def combined_files(labels: Iterable[Mapping[str, str]]) -> str:
    """The containers' config files, each once, in the order met; `N/A` when a container has no label."""
    from compose.plan import labels as L

    files: list[str] = []
    for each in labels:
        if L.CONFIG_FILES not in each:
            return "N/A"
        files += [f for f in each[L.CONFIG_FILES].split(",") if f not in files]
    return ",".join(files)


def stacks(containers: Iterable[tuple[Mapping[str, str], str]]) -> list[Stack]:
    """The projects of `(labels, state)` pairs, sorted by name; containers without Compose's labels left out."""
    from compose.plan import labels as L

    by_project: dict[str, list[tuple[Mapping[str, str], str]]] = {}
    for labels, state in containers:
        if L.PROJECT in labels and L.CONFIG_HASH in labels:
            by_project.setdefault(labels[L.PROJECT], []).append((labels, state))
    return [Stack(name, combined_status(s for _, s in found), combined_files(lb for lb, _ in found))
            for name, found in sorted(by_project.items())]


def parse_filters(given: Sequence[str]) -> dict[str, list[str]]:
    """`name=demo` words -> {"name": ["demo"]}; only `name` is known, as in Compose."""
    out: dict[str, list[str]] = {}
    for word in given:
        key, eq, value = word.partition("=")
        if not eq:
            raise BadFilter(f"bad format of filter (expected name=value): {word}")
        if key.strip().lower() not in FILTERS:
            raise BadFilter(f"invalid filter '{key}'", hint="the only filter of ls is name=<pattern>")
        out.setdefault(key.strip().lower(), []).append(value)
    return out


def matches(patterns: Sequence[str], name: str) -> bool:
    """Docker's filter match: any pattern equal to the name, or found in it as a regular expression."""
    for pattern in patterns:
        try:
            if pattern == name or re.search(pattern, name):
                return True
        except re.error:
            continue
    return False


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as Go's tabwriter pads them for Compose (each column but the last at least 20 wide)."""
    return tabwriter(rows, padding=PADDING, min_width=MIN_WIDTH)


def _formatted(found: Sequence[Stack], fmt: str) -> str:
    from compose.cli.formatting import render
    from compose.cli.gotemplate import Record

    return render([Record("*formatter.projectContext", vars(s)) for s in found], fmt, HEADERS)


@app.command("ls", help="List running compose projects")
def ls(
    all: Annotated[bool, typer.Option("--all", "-a", help="Show all stopped Compose projects")] = False,  # noqa: A002
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only display project names")] = False,
    format: Annotated[str, typer.Option("--format", help="Format the output. Values: [table | json | raw | "  # noqa: A002
                                                          "TEMPLATE | 'table TEMPLATE']")] = "table",
    filter: Annotated[list[str] | None, typer.Option("--filter", help="Filter output based on conditions "  # noqa: A002
                                                                       "provided")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Execute command in dry run mode")] = False,
) -> None:
    from compose.cli.formatting import is_template
    from engine.containers.service import ContainerService
    from engine.roots import roots

    wanted = parse_filters(filter or ())
    records = ContainerService(roots()).list(all=all)
    found = [s for s in stacks((r.labels, r.state) for r in records)
             if "name" not in wanted or matches(wanted["name"], s.Name)]
    if quiet:
        sys.stdout.write("".join(s.Name + "\n" for s in found))
    elif is_template(format.lower()):
        sys.stdout.write(_formatted(found, RAW if format == "raw" else format))
    elif format.lower() == "json":
        sys.stdout.write(json.dumps([vars(s) for s in found], separators=(",", ":"), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(table([("NAME", "STATUS", "CONFIG FILES")] + [(s.Name, s.Status, s.ConfigFiles)
                                                                        for s in found]))
