"""Go's text/template with Docker's functions: what `--format` templates are written in.

    template = Template('{{.Names}}\\t{{index .Labels "com.docker.compose.service"}}')
    template.execute({"Names": "demo-web-1", "Labels": StringMap({...})})   -> "demo-web-1\\tweb"

Supported: fields and chains (`.A.B`), `.`, variables (`$x := ...`, `$x = ...`, `$`), `if`/`else
if`/`else`, `range` (lists, maps, integers; `$i, $v :=`; `else`; `break`, `continue`), `with`/`else
with`, pipelines, parenthesised calls, string/raw/char/number/bool/nil literals, trim markers and
comments; Go's builtins (and or not len index slice print printf println eq ne lt le gt ge) and
Docker's (json split join title lower upper pad truncate). Not supported: named templates
(`define`, `template`, `block`), complex numbers, `html`/`js`/`urlquery`/`call`.

The layers, each Go's own: lexer -> parser (nodes) -> execute, with gofmt for Go's printing
and functions for the function table. Pure: no I/O. Errors are compose.errors.TemplateError,
worded as Docker's (`template parsing error: template: :1: unexpected "}" in operand`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compose.cli.gotemplate.functions import FUNCTIONS, HEADER_FUNCTIONS
from compose.cli.gotemplate.values import MISSING, Func, HeaderMap, NilStringMap, Record, StringMap

__all__ = ["FUNCTIONS", "HEADER_FUNCTIONS", "MISSING", "Func", "HeaderMap", "NilStringMap", "Record", "StringMap",
           "Template"]


class Template:
    """A parsed template; `execute` runs it over one value (a row, an inspected object)."""

    def __init__(self, text: str):
        from compose.cli.gotemplate.parser import parse

        self.text = text
        self.root = parse(text, FUNCTIONS)

    def execute(self, data: Any, *, missing_key: str = "default",
                functions: Mapping[str, Func] = FUNCTIONS) -> str:
        """The text the template makes of `data`; TemplateError when it fails (Go's message)."""
        from compose.cli.gotemplate.execute import Execution

        return Execution(self.text, functions, missing_key).run(self.root, data)

    def execute_partial(self, data: Any, *, functions: Mapping[str, Func] = FUNCTIONS) -> str:
        """What the template writes before it fails, if it fails (Docker prints a table's header so)."""
        from compose.cli.gotemplate.execute import Execution
        from compose.errors import TemplateError

        run = Execution(self.text, functions)
        try:
            return run.run(self.root, data)
        except TemplateError:
            return "".join(run.out)
