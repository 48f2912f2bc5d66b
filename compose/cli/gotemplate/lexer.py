"""Go's text/template lexer: template text -> items (text, delimiters, fields, literals...).

It follows the states of Go's lexer (text, left delimiter, inside an action, comment), so that
the same input fails with the same message: `unclosed action`, `bad character U+007D '}'`,
`unterminated quoted string`, `bad number syntax: "1a"`. Trim markers (`{{- ` and ` -}}`)
are applied here, as in Go. Positions are indexes in the text; lines count from 1.
"""

from __future__ import annotations

from typing import NamedTuple

LEFT, RIGHT = "{{", "}}"
SPACES = " \t\r\n"
KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"}


class Item(NamedTuple):
    typ: str  # text, left, right, space, field, variable, identifier, keyword, bool, number, char_constant,
    #           string, raw_string, dot, pipe, lparen, rparen, assign, declare, char, comment, eof, error
    val: str
    pos: int
    line: int

    def __str__(self) -> str:
        """As Go names an item in `unexpected X in Y`."""
        if self.typ == "eof":
            return "EOF"
        if self.typ == "error":
            return self.val
        if self.typ in ("keyword", "dot"):
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def go_quote(text: str) -> str:
    """Go's strconv.Quote: double quotes, Go escapes, printable characters kept."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out) + '"'


_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def rune_name(ch: str) -> str:
    """Go's %#U: `U+007D '}'`."""
    return f"U+{ord(ch):04X}" + (f" '{ch}'" if ch.isprintable() else "")


def is_alphanumeric(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


def lex(text: str) -> list[Item]:
    """All items of `text`, ending with `eof` or with one `error` item."""
    return _Lexer(text).run()


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.items: list[Item] = []

    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # -- plumbing -------------------------------------------------------------------------------

    def line_at(self, pos: int) -> int:
        return 1 + self.text.count("\n", 0, pos)

    def emit(self, typ: str) -> None:
        self.items.append(Item(typ, self.text[self.start:self.pos], self.start, self.line_at(self.start)))
        self.start = self.pos

    def error(self, message: str) -> None:
        self.items.append(Item("error", message, self.start, self.line_at(self.start)))
        return None

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1 if ch else 0
        return ch

    def accept(self, valid: str) -> bool:
        if self.peek() and self.peek() in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def at_right_delim(self) -> tuple[bool, bool]:
        """(at the closing delimiter, with a trim marker ` -}}` before it)."""
        rest = self.text[self.pos:]
        if len(rest) >= 2 and rest[0] in SPACES and rest[1] == "-" and rest[2:].startswith(RIGHT):
            return True, True
        return rest.startswith(RIGHT), False

    def at_terminator(self) -> bool:
        ch = self.peek()
        return ch == "" or ch in SPACES or ch in ".,|:)(" or self.text.startswith(RIGHT, self.pos)

    # -- states ---------------------------------------------------------------------------------

    def lex_text(self):  # type: ignore[no-untyped-def]
        x = self.text.find(LEFT, self.pos)
        if x < 0:
            self.pos = len(self.text)
            if self.pos > self.start:
                self.emit("text")
            self.emit("eof")
            return None
        body = self.text[self.start:x]
        if _left_trim_marker(self.text[x + len(LEFT):]):
            body = body.rstrip(SPACES)
        if body:
            self.items.append(Item("text", body, self.start, self.line_at(self.start)))
        self.pos = self.start = x
        return self.lex_left_delim

    def lex_left_delim(self):  # type: ignore[no-untyped-def]
        self.pos += len(LEFT)
        marker = 2 if _left_trim_marker(self.text[self.pos:]) else 0
        if self.text.startswith("/*", self.pos + marker):
            self.pos += marker
            self.start = self.pos
            return self.lex_comment
        self.emit("left")
        self.pos += marker
        self.start = self.pos
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self):  # type: ignore[no-untyped-def]
        self.pos += 2
        x = self.text.find("*/", self.pos)
        if x < 0:
            return self.error("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        self.pos += (2 if trim else 0) + len(RIGHT)
        if trim:
            self.pos += len(self.text[self.pos:]) - len(self.text[self.pos:].lstrip(SPACES))
        self.start = self.pos
        return self.lex_text

    def lex_right_delim(self, trim: bool):  # type: ignore[no-untyped-def]
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += len(RIGHT)
        self.emit("right")
        if trim:
            self.pos += len(self.text[self.pos:]) - len(self.text[self.pos:].lstrip(SPACES))
            self.start = self.pos
        return self.lex_text

    def lex_inside_action(self):  # type: ignore[no-untyped-def]  # noqa: C901 - one case per character class, as Go's
        delim, trim = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim(trim)
            return self.error("unclosed left paren")
        ch = self.next()
        if ch == "":
            return self.error("unclosed action")
        if ch in SPACES:
            self.pos -= 1
            return self.lex_space
        if ch == "=":
            self.emit("assign")
        elif ch == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit("declare")
        elif ch == "|":
            self.emit("pipe")
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and self.peek() and not "0" <= self.peek() <= "9":
            return self.lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.pos -= 1
            return self.lex_number
        elif is_alphanumeric(ch):
            self.pos -= 1
            return self.lex_identifier
        elif ch == "(":
            self.emit("lparen")
            self.paren_depth += 1
        elif ch == ")":
            self.emit("rparen")
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error("unexpected right paren")
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit("char")
        else:
            return self.error(f"unrecognized character in action: {rune_name(ch)}")
        return self.lex_inside_action

    def lex_space(self):  # type: ignore[no-untyped-def]
        spaces = 0
        while self.peek() and self.peek() in SPACES:
            self.pos += 1
            spaces += 1
        if self.text[self.pos:].startswith("-" + RIGHT):
            self.pos -= 1  # the last space belongs to the trim marker ` -}}`
            if spaces == 1:
                return self.lex_inside_action
        self.emit("space")
        return self.lex_inside_action

    def lex_identifier(self):  # type: ignore[no-untyped-def]
        while is_alphanumeric(self.peek()):
            self.pos += 1
        word = self.text[self.start:self.pos]
        if not self.at_terminator():
            return self.error(f"bad character {rune_name(self.peek())}")
        if word in KEYWORDS:
            self.emit("keyword")
        elif word in ("true", "false"):
            self.emit("bool")
        else:
            self.emit("identifier")
        return self.lex_inside_action

    def lex_field(self):  # type: ignore[no-untyped-def]
        return self.lex_field_or_variable("field")

    def lex_variable(self):  # type: ignore[no-untyped-def]
        return self.lex_field_or_variable("variable")

    def lex_field_or_variable(self, typ: str):  # type: ignore[no-untyped-def]
        if self.at_terminator():
            self.emit("variable" if typ == "variable" else "dot")
            return self.lex_inside_action
        while is_alphanumeric(self.peek()):
            self.pos += 1
        if not self.at_terminator():
            return self.error(f"bad character {rune_name(self.peek())}")
        self.emit(typ)
        return self.lex_inside_action

    def lex_quote(self):  # type: ignore[no-untyped-def]
        return self._lex_escaped('"', "unterminated quoted string", "string")

    def _lex_escaped(self, close: str, unterminated: str, kind: str):  # type: ignore[no-untyped-def]
        """A quoted string or a character constant: up to `close`, backslash escapes skipped, on one line."""
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch not in ("", "\n"):
                    continue
            if ch in ("", "\n"):
                return self.error(unterminated)
            if ch == close:
                break
        self.emit(kind)
        return self.lex_inside_action

    def lex_raw_quote(self):  # type: ignore[no-untyped-def]
        x = self.text.find("`", self.pos)
        if x < 0:
            return self.error("unterminated raw quoted string")
        self.pos = x + 1
        self.emit("raw_string")
        return self.lex_inside_action

    def lex_char(self):  # type: ignore[no-untyped-def]
        return self._lex_escaped("'", "unterminated character constant", "char_constant")

    def lex_number(self):  # type: ignore[no-untyped-def]
        if not self.scan_number():
            return self.error(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
        self.emit("number")
        return self.lex_inside_action

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alphanumeric(self.peek()):
            self.pos += 1
            return False
        return True


def _left_trim_marker(rest: str) -> bool:
    return len(rest) >= 2 and rest[0] == "-" and rest[1] in SPACES
