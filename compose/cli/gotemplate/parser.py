"""Go's text/template parser: items -> a tree of nodes, with Go's checks and messages.

    parse("{{range .Mounts}}{{.Source}}{{end}}", functions)  -> ListNode

Checked here as Go checks at parse time: functions are defined, variables declared before use
(scoped to the `if`/`range`/`with` that declares them), `{{end}}` and `{{else}}` in place,
`{{break}}` inside a range. Errors read `template: :LINE: MESSAGE`, Go's words.
`define`, `template` and `block` (named templates) are not supported: Docker's formats are one
anonymous template.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from compose.cli.gotemplate import nodes as N
from compose.cli.gotemplate.lexer import Item, go_quote, lex
from compose.errors import TemplateError

OPERAND_START = ("bool", "char_constant", "dot", "field", "identifier", "number", "nil", "raw_string", "string",
                 "variable", "lparen")


def parse(text: str, functions: Collection[str]) -> N.ListNode:
    """The tree of `text`; TemplateError (`template: :1: ...`) when it is not a valid template."""
    return _Parser(text, lex(text), functions).parse()


class _Parser:
    def __init__(self, text: str, items: list[Item], functions: Collection[str]):
        self.text = text
        self.items = items
        self.i = 0
        self.functions = functions
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # -- tokens ---------------------------------------------------------------------------------

    def next(self) -> Item:
        item = self.items[min(self.i, len(self.items) - 1)]
        self.i += 1
        return item

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> Item:
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> Item:
        item = self.next()
        while item.typ == "space":
            item = self.next()
        return item

    def peek_non_space(self) -> Item:
        item = self.next_non_space()
        self.backup()
        return item

    def errorf(self, message: str, line: int | None = None) -> TemplateError:
        if line is None:
            line = self.items[max(0, min(self.i, len(self.items)) - 1)].line
        return TemplateError(f"template: :{line}: {message}")

    def unexpected(self, item: Item, context: str) -> TemplateError:
        if item.typ == "error":
            extra = ""
            if self.action_line and self.action_line != item.line:
                extra = f" in action started at :{self.action_line}"
                if item.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            return self.errorf(f"{item}{extra}", item.line)
        return self.errorf(f"unexpected {item} in {context}", item.line)

    def expect(self, typ: str, context: str) -> Item:
        item = self.next_non_space()
        if item.typ != typ:
            raise self.unexpected(item, context)
        return item

    # -- structure ------------------------------------------------------------------------------

    def parse(self) -> N.ListNode:
        root = N.ListNode(self.peek().pos)
        while self.peek().typ != "eof":
            node = self.text_or_action()
            if isinstance(node, N.EndNode | N.ElseNode):
                raise self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        return root

    def text_or_action(self) -> N.Node:
        item = self.next_non_space()
        if item.typ == "text":
            return N.TextNode(item.pos, item.val)
        if item.typ == "left":
            self.action_line = item.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        raise self.unexpected(item, "input")

    def item_list(self) -> tuple[N.ListNode, N.Node]:
        found = N.ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != "eof":
            node = self.text_or_action()
            if isinstance(node, N.EndNode | N.ElseNode):
                return found, node
            found.nodes.append(node)
        raise self.errorf("unexpected EOF")

    def action(self) -> N.Node:
        item = self.next_non_space()
        if item.typ == "keyword":
            word = item.val
            if word in ("if", "range", "with"):
                return self.control(word)
            if word == "else":
                return self.else_control()
            if word == "end":
                return N.EndNode(self.expect("right", "end").pos)
            if word in ("break", "continue"):
                return self.loop_control(item)
            if word in ("define", "template", "block"):
                raise self.errorf(f"{{{{{word}}}}} is not supported: a format is one template", item.line)
        self.backup()
        first = self.peek()
        return N.ActionNode(first.pos, first.line, self.pipeline("command", "right"))

    def loop_control(self, item: Item) -> N.Node:
        after = self.next_non_space()
        if after.typ != "right":
            raise self.unexpected(after, f"{{{{{item.val}}}}}")
        if self.range_depth == 0:
            raise self.errorf(f"{{{{{item.val}}}}} outside {{{{range}}}}", item.line)
        return N.BreakNode(item.pos) if item.val == "break" else N.ContinueNode(item.pos)

    def else_control(self) -> N.Node:
        after = self.peek_non_space()
        if after.typ == "keyword" and after.val in ("if", "with"):
            return N.ElseNode(after.pos)  # `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}`
        return N.ElseNode(self.expect("right", "else").pos)

    def control(self, kind: str) -> N.BranchNode:
        depth = len(self.vars)
        try:
            pipe = self.pipeline(kind, "right")
            if kind == "range":
                self.range_depth += 1
            body, after = self.item_list()
            if kind == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(after, N.ElseNode):
                chained = self.peek()
                if kind != "range" and chained.typ == "keyword" and chained.val == kind:
                    self.next()
                    else_list = N.ListNode(after.pos, [self.control(kind)])
                else:
                    else_list, end = self.item_list()
                    if not isinstance(end, N.EndNode):
                        raise self.errorf(f"expected end; found {end}")
            return N.BranchNode(kind, pipe.pos, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[depth:]

    # -- pipelines ------------------------------------------------------------------------------

    def pipeline(self, context: str, end: str) -> N.PipeNode:
        first = self.peek_non_space()
        pipe = N.PipeNode(first.pos, first.line)
        self.declarations(pipe, context)
        while True:
            item = self.next_non_space()
            if item.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if item.typ in OPERAND_START or (item.typ == "keyword" and item.val == "nil"):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                raise self.unexpected(item, context)

    def declarations(self, pipe: N.PipeNode, context: str) -> None:
        while True:
            start = self.i
            variable = self.next_non_space()
            if variable.typ != "variable":
                self.i = start
                return
            after = self.peek_non_space()
            if after.typ in ("assign", "declare"):
                pipe.is_assign = after.typ == "assign"
                self.next_non_space()
                pipe.decl.append(N.VariableNode(variable.pos, variable.val.split(".")))
                self.vars.append(variable.val)
                return
            if after.typ == "char" and after.val == ",":
                self.next_non_space()
                pipe.decl.append(N.VariableNode(variable.pos, variable.val.split(".")))
                self.vars.append(variable.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in ("variable", "right", "rparen"):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            self.i = start
            return

    def check_pipeline(self, pipe: N.PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self.errorf(f"missing value for {context}")
        for stage, cmd in enumerate(pipe.cmds[1:], start=2):
            if isinstance(cmd.args[0], N.BoolNode | N.DotNode | N.NilNode | N.NumberNode | N.StringNode):
                raise self.errorf(f"non executable command in pipeline stage {stage}")

    def command(self) -> N.CommandNode:
        cmd = N.CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            item = self.next()
            if item.typ == "space":
                continue
            if item.typ in ("right", "rparen"):
                self.backup()
            elif item.typ != "pipe":
                raise self.unexpected(item, "operand")
            break
        if not cmd.args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> N.Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == "field":
            chain_pos = self.peek().pos
            fields = []
            while self.peek().typ == "field":
                fields.append(self.next().val[1:])
            if isinstance(node, N.FieldNode):
                return N.FieldNode(chain_pos, node.ident + fields)
            if isinstance(node, N.VariableNode):
                return N.VariableNode(chain_pos, node.ident + fields)
            if isinstance(node, N.BoolNode | N.StringNode | N.NumberNode | N.NilNode | N.DotNode):
                raise self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return N.ChainNode(chain_pos, node, fields)
        return node

    def term(self) -> N.Node | None:  # noqa: C901 - one case per kind of term, as Go's
        item = self.next_non_space()
        typ = item.typ
        if typ == "identifier":
            if item.val not in self.functions:
                raise self.errorf(f"function {go_quote(item.val)} not defined", item.line)
            return N.IdentifierNode(item.pos, item.val)
        if typ == "dot":
            return N.DotNode(item.pos)
        if typ == "keyword" and item.val == "nil":
            return N.NilNode(item.pos)
        if typ == "variable":
            name = item.val
            if name not in self.vars:
                raise self.errorf(f"undefined variable {go_quote(name)}", item.line)
            return N.VariableNode(item.pos, [name])
        if typ == "field":
            return N.FieldNode(item.pos, [item.val[1:]])
        if typ == "bool":
            return N.BoolNode(item.pos, item.val == "true")
        if typ in ("char_constant", "number"):
            return self.number(item)
        if typ == "lparen":
            return self.pipeline("parenthesized pipeline", "rparen")
        if typ in ("string", "raw_string"):
            return N.StringNode(item.pos, item.val, self.unquote(item))
        self.backup()
        return None

    # -- literals -------------------------------------------------------------------------------

    def unquote(self, item: Item) -> str:
        if item.typ == "raw_string":
            return item.val[1:-1].replace("\r", "")
        try:
            return unquote_go(item.val[1:-1], '"')
        except ValueError:
            raise self.errorf("invalid syntax", item.line) from None

    def number(self, item: Item) -> N.NumberNode:
        text = item.val
        node = N.NumberNode(item.pos, text)
        if item.typ == "char_constant":
            try:
                rune = unquote_go(text[1:-1], "'")
            except ValueError:
                raise self.errorf("invalid syntax", item.line) from None
            if len(rune) != 1:
                raise self.errorf(f"malformed character constant: {text}", item.line)
            node.is_int = node.is_float = True
            node.int_value, node.float_value = ord(rune), float(ord(rune))
            return node
        as_int = _go_int(text)
        if as_int is not None:
            node.is_int, node.int_value = True, as_int
            node.is_float, node.float_value = True, float(as_int)
            return node
        try:
            as_float = float(text) if not text.lower().lstrip("+-").startswith("0x") else float.fromhex(text)
        except ValueError:
            raise self.errorf(f"illegal number syntax: {go_quote(text)}", item.line) from None
        if not any(c in text for c in ".eEpP"):
            raise self.errorf(f"integer overflow: {go_quote(text)}", item.line)
        node.is_float, node.float_value = True, as_float
        if as_float == int(as_float) and abs(as_float) < 2 ** 63:
            node.is_int, node.int_value = True, int(as_float)
        return node


def _go_int(text: str) -> int | None:
    """Go's strconv.ParseInt(text, 0, 64): decimal, 0x, 0o, 0b, a leading 0 for octal, underscores."""
    body = text.lstrip("+-")
    try:
        value = int(body, 8) if re.fullmatch(r"0[0-7_]+", body) else int(body, 0)
    except ValueError:
        return None
    value = -value if text.startswith("-") else value
    return value if -(2 ** 63) <= value < 2 ** 63 else None


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def unquote_go(body: str, quote: str) -> str:
    """The text of a Go string (or rune) literal's body; ValueError on a bad escape."""
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == quote or ch == "\n":
            raise ValueError(body)
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1:i + 2]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code == quote:
            out.append(quote)
            i += 2
        elif code in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2:i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError(body)
            out.append(chr(int(digits, 16)))
            i += 2 + size
        elif code and code in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError(body)
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError(body)
    return "".join(out)
