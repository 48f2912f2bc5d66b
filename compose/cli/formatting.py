"""Docker's `--format` for the CLI's commands: `json`, `table`, `table TEMPLATE` and `TEMPLATE`.

List commands (ps, images, ls, volume ls, image history) print their rows through `render`:

    if formatting.is_template(format):
        return out(formatting.render(rows, format, HEADERS))

`table TEMPLATE` prints a header (the template run over the command's titles, `.Names` ->
`NAMES`, with Docker's header functions) and aligns the cells with Docker's tabwriter;
`TEMPLATE` prints one line per row. As in docker/cli, `\\t` and `\\n` written in the format
become a tab and a newline, and spaces around it are dropped.

Inspect commands print objects through `inspect`: indented JSON by default, one compact JSON
array for `json`, else one line per object from the template (no `\\t` replacement there, and
a key missing from the object is an error, as in `docker inspect`).

The template engine (compose.cli.gotemplate) is imported only when a template is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compose.errors import TemplateError

TABLE, JSON = "table", "json"


def is_template(fmt: str | None, words: Sequence[str] = (TABLE, JSON)) -> bool:
    """Whether `fmt` is a template (or `table TEMPLATE`) rather than one of the command's words."""
    return bool(fmt) and fmt not in words


def render(rows: Sequence[Any], fmt: str, headers: Mapping[str, str]) -> str:
    """`rows` (Records, dicts) through `fmt`, a template or `table TEMPLATE`, as Docker's formatter prints them."""
    from compose.cli.gotemplate import HEADER_FUNCTIONS, HeaderMap, Template
    from compose.cli.tables import tabwrite

    table = fmt.startswith(TABLE)
    body = "{{json .}}" if fmt == JSON else fmt[len(TABLE):] if table else fmt
    template = Template(body.strip(" ").replace("\\t", "\t").replace("\\n", "\n"))
    lines = "".join(template.execute(row) + "\n" for row in rows)
    if not table:
        return lines
    header = template.execute_partial(HeaderMap(headers), functions=HEADER_FUNCTIONS)
    return tabwrite(header + "\n" + lines)


def inspect(objects: Sequence[Any], fmt: str | None) -> tuple[str, TemplateError | None]:
    """Inspected objects as `docker inspect` prints them: indented JSON, `json` compact, or a template's lines.

    Returns the text and, when the template failed on some objects, one error naming each failure
    (one line each): as Docker does, the caller prints the text (a lone newline when no object
    printed) and then fails.
    """
    import json

    if not fmt:
        return json.dumps(list(objects), indent=4) + "\n", None
    if fmt == JSON:
        return json.dumps(list(objects), separators=(",", ":")) + "\n", None
    from compose.cli.gotemplate import Template

    template = Template(fmt)
    lines, failures = [], []
    for obj in objects:
        try:
            lines.append(template.execute(obj, missing_key="error") + "\n")
        except TemplateError as failure:
            failures.append(failure)
    return "".join(lines) or "\n", combined(failures)


def combined(failures: Sequence[TemplateError], more: Sequence[str] = ()) -> TemplateError | None:
    """One error for several: the first one's kind, every message on its own line."""
    if not failures:
        return None
    error = TemplateError(failures[0].detail)
    error.message = "\n".join([*(f.message for f in failures), *more])
    return error
