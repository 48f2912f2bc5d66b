"""The parse tree of a template, node for node as Go's text/template/parse has it.

Each node knows its position (an index in the template text) and prints itself as Go does,
since execution errors quote the node they failed at: `executing "" at <index .Labels "x">`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Node:
    pos: int


@dataclass
class TextNode(Node):
    """Text between actions, copied as it is."""

    pos: int
    text: str

    def __str__(self) -> str:
        return repr(self.text)


@dataclass
class DotNode(Node):
    """`.`: the value the template runs on."""

    pos: int

    def __str__(self) -> str:
        return "."


@dataclass
class NilNode(Node):
    """The untyped `nil`."""

    pos: int

    def __str__(self) -> str:
        return "nil"


@dataclass
class BoolNode(Node):
    """`true` or `false`."""

    pos: int
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass
class NumberNode(Node):
    """A number literal: `is_int` with `int_value` when it is an integer, `is_float` with `float_value`."""

    pos: int
    text: str
    is_int: bool = False
    int_value: int = 0
    is_float: bool = False
    float_value: float = 0.0

    def __str__(self) -> str:
        return self.text


@dataclass
class StringNode(Node):
    """A quoted or raw string constant, unquoted."""

    pos: int
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass
class FieldNode(Node):
    """`.A.B`: a chain of field names from dot."""

    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + name for name in self.ident)


@dataclass
class VariableNode(Node):
    """`$x.A`: a variable and the fields chained after it."""

    pos: int
    ident: list[str]  # the variable's name ($x) first, then fields

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass
class IdentifierNode(Node):
    """A function's name."""

    pos: int
    ident: str

    def __str__(self) -> str:
        return self.ident


@dataclass
class ChainNode(Node):
    """`(pipeline).Field.Other`: fields read from the value of a term that is not a field or variable."""

    pos: int
    node: Node
    fields: list[str]

    def __str__(self) -> str:
        inner = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return inner + "".join("." + name for name in self.fields)


@dataclass
class CommandNode(Node):
    """One command of a pipeline: its operands."""

    pos: int
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({arg})" if isinstance(arg, PipeNode) else str(arg) for arg in self.args)


@dataclass
class PipeNode(Node):
    """A pipeline, with the variables it declares or assigns."""

    pos: int
    line: int
    decl: list[VariableNode] = field(default_factory=list)
    is_assign: bool = False
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass
class ListNode(Node):
    """A sequence of nodes."""

    pos: int
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass
class ActionNode(Node):
    """`{{pipeline}}`: its value printed."""

    pos: int
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass
class BranchNode(Node):
    """`if`, `range` or `with`: a pipeline, its list, and the list after `{{else}}` (None without one)."""

    kind: str
    pos: int
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None

    def __str__(self) -> str:
        text = "{{" + self.kind + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


@dataclass
class BreakNode(Node):
    """`{{break}}` in a range."""

    pos: int

    def __str__(self) -> str:
        return "{{break}}"


@dataclass
class ContinueNode(Node):
    """`{{continue}}` in a range."""

    pos: int

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass
class EndNode(Node):
    """`{{end}}`: only seen by the parser, never in a tree."""

    pos: int

    def __str__(self) -> str:
        return "{{end}}"


@dataclass
class ElseNode(Node):
    """`{{else}}`: only seen by the parser, never in a tree."""

    pos: int

    def __str__(self) -> str:
        return "{{else}}"
