"""Go's text/template execution: a parse tree and data -> text, step for step as Go's exec.go walks it.

The order of evaluation, the truth of values, scoping of variables, what a pipeline passes on
(a nil from the data reads as a missing value, printed `<no value>`) and the node an error is
reported at follow Go, so errors read as Docker's do:

    template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"

`missing_key="error"` is Go's `missingkey=error` option (what Docker's inspect falls back to):
a key missing from a JSON object is an error rather than `<no value>`. A StringMap (labels) is
a typed Go map, which Docker reads without that option: its missing keys stay `<no value>`,
and so do fields read from them (`.Config.Labels.nope.deeper`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compose.cli.gotemplate import gofmt
from compose.cli.gotemplate import nodes as N
from compose.cli.gotemplate.functions import truth
from compose.cli.gotemplate.lexer import go_quote
from compose.cli.gotemplate.values import MISSING, CallError, Func, HeaderMap, Record, StringMap, go_type
from compose.errors import TemplateError

_ABSENT: Any = object()  # Go's missingVal: no value came down the pipeline
_KIND_TYPES = {"string": "string", "int": "int", "[]string": "[]string", "any": "interface {}",
               "value": "reflect.Value"}
_LABEL = Func(HeaderMap.label, ("string",))


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Execution:
    """One run of a template over `data`; `out` collects the text (kept when a run fails half way)."""

    def __init__(self, text: str, functions: Mapping[str, Func], missing_key: str = "default"):
        self.text = text
        self.functions = functions
        self.missing_key = missing_key
        self.out: list[str] = []
        self.vars: list[list[Any]] = []
        self.node: N.Node | None = None

    def run(self, root: N.ListNode, data: Any) -> str:
        self.vars = [["$", data]]
        self.walk(data, root)
        return "".join(self.out)

    # -- errors and variables -------------------------------------------------------------------

    def error(self, message: str) -> TemplateError:
        if self.node is None:
            return TemplateError(f"template: : {message}")
        before = self.text[:self.node.pos]
        line = 1 + before.count("\n")
        column = len(before[before.rfind("\n") + 1:].encode())
        return TemplateError(f'template: :{line}:{column}: executing "" at <{self.node}>: {message}')

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise self.error(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise self.error(f"undefined variable: {name}")

    # -- walking the tree -----------------------------------------------------------------------

    def walk(self, dot: Any, node: N.Node) -> None:
        self.node = node
        if isinstance(node, N.ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.node = node
                self.out.append("<no value>" if value is MISSING else gofmt.verb_v(value))
        elif isinstance(node, N.ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, N.TextNode):
            self.out.append(node.text)
        elif isinstance(node, N.BranchNode):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, N.BreakNode):
            raise _Break
        elif isinstance(node, N.ContinueNode):
            raise _Continue

    def walk_if_or_with(self, dot: Any, node: N.BranchNode) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if truth(value):
                self.walk(value if node.kind == "with" else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: N.BranchNode) -> None:
        self.node = node
        outer = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            try:
                ran = self.iterate(node, value, len(self.vars))
            except _Break:
                return
            if not ran and node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[outer:]

    def iterate(self, node: N.BranchNode, value: Any, mark: int) -> bool:
        """The body once per element (index, key); False when there was nothing to range over."""
        if isinstance(value, list | tuple):
            pairs: list[tuple[Any, Any]] = list(enumerate(value))
        elif isinstance(value, dict):
            pairs = [(key, value[key]) for key in sorted(value)]
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(node.pipe.decl) > 1:
                raise self.error(f"can't use {value} to iterate over more than one variable")
            pairs = [(MISSING, n) for n in range(value)]
        elif value is MISSING:
            return False
        else:
            raise self.error(f"range can't iterate over {gofmt.verb_v(value)}")
        for index, elem in pairs:
            self.one_iteration(node, index, elem, mark)
        return bool(pairs)

    def one_iteration(self, node: N.BranchNode, index: Any, elem: Any, mark: int) -> None:
        decl = node.pipe.decl
        if decl:
            if node.pipe.is_assign:
                self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
            else:
                self.vars[-1][1] = elem
        if len(decl) > 1:
            if node.pipe.is_assign:
                self.set_var(decl[1].ident[0], elem)
            else:
                self.vars[-2][1] = index
        try:
            self.walk(elem, node.list)
        except _Continue:
            pass
        finally:
            del self.vars[mark:]

    # -- evaluation -----------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: N.PipeNode) -> Any:
        self.node = pipe
        value = _ABSENT
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if value is None:
                value = MISSING  # Go digs into an interface{}: a nil one is no value at all
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.vars.append([variable.ident[0], value])
        return value

    def eval_command(self, dot: Any, cmd: N.CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, N.FieldNode):
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final)
        if isinstance(first, N.ChainNode):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, N.IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, N.PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, N.VariableNode):
            return self.eval_variable(dot, first, cmd.args, final)
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, N.NilNode):
            raise self.error("nil is not a command")
        return self.literal(dot, first)

    def literal(self, dot: Any, node: N.Node) -> Any:
        if isinstance(node, N.BoolNode):
            return node.value
        if isinstance(node, N.DotNode):
            return dot
        if isinstance(node, N.StringNode):
            return node.text
        if isinstance(node, N.NumberNode):
            return self.ideal_constant(node)
        raise self.error(f"can't evaluate command {go_quote(str(node))}")

    def ideal_constant(self, node: N.NumberNode) -> Any:
        self.node = node
        text = node.text.lower()
        if node.is_float and not text.startswith("'") and not (text.lstrip("+-").startswith("0x") and "p" not in text) \
                and any(c in text for c in ".ep"):
            return node.float_value
        if node.is_int:
            return node.int_value
        raise self.error(f"{node.text} overflows int")

    def not_a_function(self, args: list[N.Node], final: Any) -> None:
        if len(args) > 1 or final is not _ABSENT:
            raise self.error(f"can't give argument to non-function {args[0]}")

    def eval_chain(self, dot: Any, chain: N.ChainNode, args: list[N.Node] | None, final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, N.NilNode):
            raise self.error(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable(self, dot: Any, variable: N.VariableNode, args: list[N.Node] | None, final: Any) -> Any:
        self.node = variable
        value = self.var_value(variable.ident[0])
        if len(variable.ident) == 1:
            self.not_a_function(args or [variable], final)
            return value
        return self.eval_field_chain(dot, value, variable, variable.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: N.Node, names: list[str],
                         args: list[N.Node] | None, final: Any) -> Any:
        boxed = False
        for name in names[:-1]:
            receiver, boxed = self.eval_field(dot, name, node, None, _ABSENT, receiver, boxed)
        return self.eval_field(dot, names[-1], node, args, final, receiver, boxed)[0]

    def eval_field(self, dot: Any, name: str, node: N.Node, args: list[N.Node] | None, final: Any,  # noqa: C901
                   receiver: Any, boxed: bool) -> tuple[Any, bool]:
        """Field `name` of `receiver`, and whether the value sits in an interface{} (for Go's type names)."""
        if receiver is MISSING:  # a key a typed map lacks (a missing JSON key failed already under "error")
            return MISSING, False
        type_name = "interface {}" if boxed or receiver is None else go_type(receiver)
        if receiver is None:
            raise self.error(f"nil pointer evaluating {type_name}.{name}")
        method = receiver.methods.get(name) if isinstance(receiver, Record) else \
            _LABEL if isinstance(receiver, HeaderMap) and name == "Label" else None
        if method is not None:
            return self.eval_call(dot, method, False, node, name, args, final), False
        has_args = (args is not None and len(args) > 1) or final is not _ABSENT
        if isinstance(receiver, Record) and name in receiver.fields:
            if has_args:  # Docker's fields are methods without parameters
                given = (len(args) - 1 if args else 0) + (final is not _ABSENT)
                raise self.error(f"wrong number of args for {name}: want 0 got {given}")
            return receiver.fields[name], False
        if isinstance(receiver, dict):
            if has_args:
                raise self.error(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name], not isinstance(receiver, StringMap)
            if self.missing_key == "error" and not isinstance(receiver, StringMap):
                raise self.error(f"map has no entry for key {go_quote(name)}")
            return MISSING, False
        raise self.error(f"can't evaluate field {name} in type {type_name}")

    def eval_function(self, dot: Any, ident: N.IdentifierNode, cmd: N.Node, args: list[N.Node] | None,
                      final: Any) -> Any:
        self.node = ident
        function = self.functions.get(ident.ident)
        if function is None:
            raise self.error(f"{go_quote(ident.ident)} is not a defined function")
        return self.eval_call(dot, function, True, cmd, ident.ident, args, final)

    def eval_call(self, dot: Any, function: Func, builtin: bool, node: N.Node, name: str,  # noqa: C901
                  args: list[N.Node] | None, final: Any) -> Any:
        args = list(args[1:]) if args else []
        given = len(args) + (final is not _ABSENT)
        fixed = len(function.params)
        if function.variadic is not None:
            if given < fixed:
                raise self.error(f"wrong number of args for {name}: want at least {fixed} got {len(args)}")
        elif given != fixed:
            raise self.error(f"wrong number of args for {name}: want {fixed} got {given}")
        if builtin and name in ("and", "or"):
            value = MISSING
            for arg in args:
                value = self.eval_arg(dot, "value", arg)
                if truth(value) == (name == "or"):
                    return value
            return self.validate(final, "value") if final is not _ABSENT else value
        kinds = list(function.params) + [function.variadic or ""] * max(0, len(args) - fixed)
        argv = [self.eval_arg(dot, kind, arg) for kind, arg in zip(kinds, args, strict=False)]
        if final is not _ABSENT:
            argv.append(self.validate(final, function.params[len(argv)] if len(argv) < fixed else function.variadic))
        try:
            return function.call(*argv)
        except CallError as failure:
            self.node = node
            raise self.error(f"error calling {name}: {failure}") from None

    def eval_arg(self, dot: Any, kind: str | None, node: N.Node) -> Any:
        self.node = node
        if isinstance(node, N.DotNode):
            return self.validate(dot, kind)
        if isinstance(node, N.NilNode):
            if kind in (None, "any", "[]string"):
                return None
            if kind == "value":
                return MISSING
            raise self.error(f"cannot assign nil to {_KIND_TYPES[kind]}")
        if isinstance(node, N.FieldNode):
            return self.validate(self.eval_field_chain(dot, dot, node, node.ident, [node], _ABSENT), kind)
        if isinstance(node, N.VariableNode):
            return self.validate(self.eval_variable(dot, node, None, _ABSENT), kind)
        if isinstance(node, N.PipeNode):
            return self.validate(self.eval_pipeline(dot, node), kind)
        if isinstance(node, N.IdentifierNode):
            return self.validate(self.eval_function(dot, node, node, None, _ABSENT), kind)
        if isinstance(node, N.ChainNode):
            return self.validate(self.eval_chain(dot, node, None, _ABSENT), kind)
        return self.literal_arg(dot, kind, node)

    def literal_arg(self, dot: Any, kind: str | None, node: N.Node) -> Any:
        """A literal (number, string, bool) where a parameter of `kind` wants a value: Go converts or refuses."""
        if kind == "int":
            if isinstance(node, N.NumberNode) and node.is_int:
                return node.int_value
            raise self.error(f"expected integer; found {node}")
        if kind == "string":
            if isinstance(node, N.StringNode):
                return node.text
            raise self.error(f"expected string; found {node}")
        if kind == "[]string":
            raise self.error(f"can't handle {node} for arg of type []string")
        return self.literal(dot, node)

    def validate(self, value: Any, kind: str | None) -> Any:
        """Go's validateType: a value where a parameter of `kind` wants one."""
        if value is MISSING:
            if kind in (None, "value"):
                return MISSING
            if kind in ("any", "[]string"):
                return None
            raise self.error(f"invalid value; expected {_KIND_TYPES[kind]}")
        if kind in (None, "value", "any"):
            return value
        wrong = "interface {}" if value is None else go_type(value)
        if kind == "string" and isinstance(value, str):
            return value
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "[]string" and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return list(value)
        raise self.error(f"wrong type for value; expected {_KIND_TYPES[kind]}; got {wrong}")
