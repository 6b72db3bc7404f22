"""HCL native syntax: the structure of a file (blocks, attributes) and its expressions as a small tree.

python-hcl2 (which finds the resource blocks and their lines, stepgate.source) renders every expression
back as a string, so `jsonencode({...})` or `templatefile(...)` cannot be evaluated from what it returns.
This parser reads exactly what evaluation needs: literals, templates and heredocs, traversals, function
calls, operators, conditionals and `for` expressions. Anything else is a SyntaxProblem for that one
attribute, which then stays "not evaluated"; the file as a whole is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union


class SyntaxProblem(ValueError):
    """The text is no HCL this parser reads."""


# --- expressions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Template:
    """A quoted string or heredoc: literal text and interpolated expressions."""

    parts: tuple[Union[str, "Node"], ...]


@dataclass(frozen=True)
class Traversal:
    """`root.step[index]...`: steps are attribute names (str), index expressions (Node) or SPLAT."""

    root: str
    steps: tuple[Union[str, "Node", "Splat"], ...]


@dataclass(frozen=True)
class Splat:
    pass


SPLAT = Splat()


@dataclass(frozen=True)
class Call:
    name: str
    arguments: tuple["Node", ...]
    expand: bool = False  # f(list...)


@dataclass(frozen=True)
class TupleNode:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class ObjectNode:
    items: tuple[tuple["Node", "Node"], ...]  # key expressions (a bare name is a Literal) and values


@dataclass(frozen=True)
class Operation:
    operator: str
    operands: tuple["Node", ...]


@dataclass(frozen=True)
class Conditional:
    condition: "Node"
    then: "Node"
    otherwise: "Node"


@dataclass(frozen=True)
class For:
    key_name: str | None
    value_name: str
    collection: "Node"
    key: "Node | None"  # set for an object `for` ({for k, v in x : KEY => VALUE})
    value: "Node"
    condition: "Node | None"
    grouped: bool = False


@dataclass(frozen=True)
class Access:
    """Attribute or index steps applied to something that is not a bare name: `f(x).a`, `(x)[0]`."""

    base: "Node"
    steps: tuple[Union[str, "Node", Splat], ...]


Node = Union[Literal, Template, Traversal, Call, TupleNode, ObjectNode, Operation, Conditional, For, Access]


# --- tokens ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, heredoc, punct, newline, end
    value: Any
    position: int
    end: int  # just after the token


_PUNCT = ("...", "=>", "==", "!=", "<=", ">=", "&&", "||", "{", "}", "[", "]", "(", ")", "=", "<", ">", "!", "+", "-",
          "*", "/", "%", "?", ":", ".", ",")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char in " \t\r":
            position += 1
        elif char == "\n":
            found.append(Token("newline", "\n", position, position + 1))
            position += 1
        elif char == "#" or text.startswith("//", position):
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
        elif text.startswith("/*", position):
            end = text.find("*/", position + 2)
            if end < 0:
                raise SyntaxProblem("unterminated comment")
            position = end + 2
        elif char == '"':
            parts, position_after = _quoted(text, position + 1)
            found.append(Token("string", parts, position, position_after))
            position = position_after
        elif (heredoc := _HEREDOC.match(text, position)) is not None:
            parts, position_after = _heredoc(text, heredoc)
            found.append(Token("heredoc", parts, position, position_after))
            position = position_after
        elif (number := _NUMBER.match(text, position)) is not None:
            literal = number.group(0)
            found.append(Token("number", float(literal) if any(c in literal for c in ".eE") else int(literal), position, number.end()))
            position = number.end()
        elif (name := _NAME.match(text, position)) is not None:
            found.append(Token("name", name.group(0), position, name.end()))
            position = name.end()
        else:
            punct = next((p for p in _PUNCT if text.startswith(p, position)), None)
            if punct is None:
                raise SyntaxProblem(f"unexpected character {char!r}")
            found.append(Token("punct", punct, position, position + len(punct)))
            position += len(punct)
    found.append(Token("end", None, len(text), len(text)))
    return found


def _interpolation_end(text: str, start: int) -> int:
    """The index of the `}` closing an interpolation whose content starts at `start`."""
    depth, position = 0, start
    while position < len(text):
        char = text[position]
        if char == '"':
            position = _quoted(text, position + 1)[1]
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return position
            depth -= 1
        position += 1
    raise SyntaxProblem("unterminated interpolation")


def _template_parts(text: str, start: int, stop: Any, escapes: bool) -> tuple[list[Any], int]:
    """Template text from `start` until `stop(text, position)` is true: literal strings and interpolated
    source snippets (("interp", source)); directives (%{...}) are a SyntaxProblem."""
    parts: list[Any] = []
    literal: list[str] = []
    position = start
    while True:
        if position >= len(text):
            raise SyntaxProblem("unterminated string")
        if stop(text, position):
            break
        char = text[position]
        if escapes and char == "\\":
            following = text[position + 1 : position + 2]
            if following in _ESCAPES:
                literal.append(_ESCAPES[following])
                position += 2
            elif following in ("u", "U"):
                width = 4 if following == "u" else 8
                literal.append(chr(int(text[position + 2 : position + 2 + width], 16)))
                position += 2 + width
            else:
                raise SyntaxProblem(f"unknown escape \\{following}")
        elif text.startswith("$${", position) or text.startswith("%%{", position):
            literal.append(text[position + 1 : position + 3])
            position += 3
        elif text.startswith("${", position):
            end = _interpolation_end(text, position + 2)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(("interp", text[position + 2 : end]))
            position = end + 1
        elif text.startswith("%{", position):
            raise SyntaxProblem("template directives (%{ if }, %{ for }) are not evaluated")
        else:
            literal.append(char)
            position += 1
    if literal:
        parts.append("".join(literal))
    return parts, position


def _quoted(text: str, start: int) -> tuple[list[Any], int]:
    parts, end = _template_parts(text, start, lambda t, p: t[p] == '"' or t[p] == "\n", escapes=True)
    if text[end] != '"':
        raise SyntaxProblem("unterminated string")
    return parts, end + 1


def _heredoc(text: str, match: re.Match[str]) -> tuple[list[Any], int]:
    indent, marker = match.group(1) == "-", match.group(2)
    closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*\r?$", re.MULTILINE)
    end = closing.search(text, match.end())
    if end is None:
        raise SyntaxProblem(f"heredoc {marker} is not closed")
    body = text[match.end() : end.start()]
    if indent:
        lines = body.split("\n")
        widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(widths, default=0)
        body = "\n".join(line[cut:] for line in lines)
    parts, _ = _template_parts(body + "\x00", 0, lambda t, p: p == len(t) - 1, escapes=False)
    return parts, end.end()


# --- parser ------------------------------------------------------------------------------------------


def parse_expression(text: str) -> Node:
    parser = _Parser(tokens(text))
    node = parser.expression()
    parser.skip_newlines()
    if parser.peek().kind != "end":
        raise SyntaxProblem(f"unexpected {parser.peek().value!r} after the expression")
    return node


class _Parser:
    def __init__(self, items: list[Token]) -> None:
        self.items = items
        self.position = 0
        self.newlines_count = [True]  # inside () and [] a newline is only space; in {} it ends an item

    def peek(self) -> Token:
        while self.newlines_count[-1] and self.items[self.position].kind == "newline":
            self.position += 1
        return self.items[self.position]

    def skip_newlines(self) -> None:
        while self.items[self.position].kind == "newline":
            self.position += 1

    def take(self) -> Token:
        token = self.peek()
        self.position += 1
        return token

    def accept(self, value: str) -> bool:
        token = self.peek()
        if token.kind == "punct" and token.value == value:
            self.position += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            found = self.peek()
            raise SyntaxProblem(f"expected {value!r}, found {found.value!r}")

    def expression(self) -> Node:
        condition = self._binary(0)
        if self.accept("?"):
            then = self.expression()
            self.expect(":")
            return Conditional(condition, then, self.expression())
        return condition

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def _binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self._unary()
        node = self._binary(level + 1)
        while (token := self.peek()).kind == "punct" and token.value in self._LEVELS[level]:
            self.position += 1
            node = Operation(token.value, (node, self._binary(level + 1)))
        return node

    def _unary(self) -> Node:
        token = self.peek()
        if token.kind == "punct" and token.value in ("!", "-"):
            self.position += 1
            return Operation("neg" if token.value == "-" else "!", (self._unary(),))
        return self._postfix(self._primary())

    def _steps(self) -> list[Any]:
        steps: list[Any] = []
        while True:
            token = self.items[self.position]  # no newline skipping: a step continues the same line
            if token.kind == "punct" and token.value == ".":
                self.position += 1
                following = self.take()
                if following.kind == "name":
                    steps.append(following.value)
                elif following.kind == "number":
                    steps.append(Literal(int(following.value)))
                elif following.kind == "punct" and following.value == "*":
                    steps.append(SPLAT)
                else:
                    raise SyntaxProblem(f"unexpected {following.value!r} after '.'")
            elif token.kind == "punct" and token.value == "[":
                self.position += 1
                self.newlines_count.append(True)
                if self.accept("*"):
                    steps.append(SPLAT)
                else:
                    steps.append(self.expression())
                self.expect("]")
                self.newlines_count.pop()
            else:
                return steps

    def _postfix(self, node: Node) -> Node:
        steps = self._steps()
        if not steps:
            return node
        if isinstance(node, Traversal):
            return Traversal(node.root, node.steps + tuple(steps))
        return Access(node, tuple(steps))

    def _primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Literal(token.value)
        if token.kind in ("string", "heredoc"):
            return _template(token.value)
        if token.kind == "name":
            if token.value in ("true", "false", "null"):
                return Literal({"true": True, "false": False, "null": None}[token.value])
            following = self.items[self.position]
            if following.kind == "punct" and following.value == "(":
                self.position += 1
                return self._call(token.value)
            if following.kind == "punct" and following.value == ":" and self.items[self.position + 1].value == ":":
                raise SyntaxProblem("provider functions are not evaluated")
            return Traversal(token.value, ())
        if token.kind == "punct" and token.value == "(":
            self.newlines_count.append(True)
            node = self.expression()
            self.expect(")")
            self.newlines_count.pop()
            return node
        if token.kind == "punct" and token.value == "[":
            return self._tuple()
        if token.kind == "punct" and token.value == "{":
            return self._object()
        raise SyntaxProblem(f"unexpected {token.value!r}")

    def _call(self, name: str) -> Node:
        self.newlines_count.append(True)
        arguments: list[Node] = []
        expand = False
        while not self.accept(")"):
            arguments.append(self.expression())
            if self.accept("..."):
                expand = True
            if not self.accept(","):
                self.expect(")")
                break
        self.newlines_count.pop()
        return Call(name, tuple(arguments), expand)

    def _tuple(self) -> Node:
        self.newlines_count.append(True)
        if self._at_for():
            node = self._for(object_form=False)
            self.expect("]")
        else:
            items: list[Node] = []
            while not self.accept("]"):
                items.append(self.expression())
                if not self.accept(","):
                    self.expect("]")
                    break
            node = TupleNode(tuple(items))
        self.newlines_count.pop()
        return node

    def _at_for(self) -> bool:
        token = self.peek()
        return token.kind == "name" and token.value == "for" and self.items[self.position + 1].kind == "name"

    def _object(self) -> Node:
        self.newlines_count.append(False)
        self.skip_newlines()
        if self._at_for():
            self.newlines_count[-1] = True
            node: Node = self._for(object_form=True)
            self.expect("}")
            self.newlines_count.pop()
            return node
        items: list[tuple[Node, Node]] = []
        while True:
            self.skip_newlines()
            if self.accept("}"):
                break
            key_token = self.peek()
            if key_token.kind == "name" and self.items[self.position + 1].kind == "punct" and self.items[self.position + 1].value in ("=", ":"):
                self.position += 1
                key: Node = Literal(key_token.value)
            else:
                key = self.expression()
            if not (self.accept("=") or self.accept(":")):
                raise SyntaxProblem("expected '=' or ':' in an object")
            self.newlines_count.append(False)
            value = self.expression()
            self.newlines_count.pop()
            items.append((key, value))
            self.accept(",")
        self.newlines_count.pop()
        return ObjectNode(tuple(items))

    def _for(self, object_form: bool) -> Node:
        self.take()  # for
        first = self.take().value
        second = self.take().value if self.accept(",") else None
        if not (self.peek().kind == "name" and self.take().value == "in"):
            raise SyntaxProblem("expected 'in' in a for expression")
        collection = self.expression()
        self.expect(":")
        key = None
        if object_form:
            key = self.expression()
            self.expect("=>")
        value = self.expression()
        grouped = self.accept("...")
        condition = None
        if self.peek().kind == "name" and self.peek().value == "if":
            self.take()
            condition = self.expression()
        key_name, value_name = (first, second) if second is not None else (None, first)
        return For(key_name, value_name, collection, key, value, condition, grouped)


def parse_template(text: str) -> Template:
    """A template file's content (templatefile()): text with `${...}` interpolations, no escapes."""
    parts, _ = _template_parts(text + "\x00", 0, lambda t, p: p == len(t) - 1, escapes=False)
    node = _template(parts)
    assert isinstance(node, Template)
    return node


def _template(parts: list[Any]) -> Node:
    return Template(tuple(parse_expression(part[1]) if isinstance(part, tuple) else part for part in parts))


# --- file structure ----------------------------------------------------------------------------------


@dataclass
class Body:
    """Attributes (name -> expression source) and nested blocks of a block or a file."""

    attributes: dict[str, str] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)

    def blocks_of(self, kind: str, *labels: str) -> list["Block"]:
        return [b for b in self.blocks if b.kind == kind and b.labels[: len(labels)] == labels]


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    body: Body


def parse_file(text: str) -> Body:
    """The blocks and attributes of a .tf file, each attribute kept as its expression's source text."""
    return _body(text, tokens(text), [0], top=True)


def _body(text: str, items: list[Token], cursor: list[int], top: bool) -> Body:
    body = Body()
    while True:
        token = items[cursor[0]]
        if token.kind == "newline":
            cursor[0] += 1
            continue
        if token.kind == "end":
            if not top:
                raise SyntaxProblem("unclosed block")
            return body
        if token.kind == "punct" and token.value == "}" and not top:
            cursor[0] += 1
            return body
        if token.kind != "name":
            raise SyntaxProblem(f"unexpected {token.value!r} in a body")
        following = items[cursor[0] + 1]
        if following.kind == "punct" and following.value == "=":
            start = cursor[0] + 2
            end = _expression_end(items, start)
            last = max(start, end - 1)  # the expression's last token: comments after it are not part of it
            body.attributes[token.value] = text[items[start].position : items[last].end].strip()
            cursor[0] = end
            continue
        labels: list[str] = []
        cursor[0] += 1
        while items[cursor[0]].kind in ("name", "string"):
            label = items[cursor[0]]
            labels.append(label.value if label.kind == "name" else "".join(p for p in label.value if isinstance(p, str)))
            cursor[0] += 1
        if not (items[cursor[0]].kind == "punct" and items[cursor[0]].value == "{"):
            raise SyntaxProblem(f"expected '{{' after block {token.value}")
        cursor[0] += 1
        body.blocks.append(Block(token.value, tuple(labels), _body(text, items, cursor, top=False)))


def _expression_end(items: list[Token], start: int) -> int:
    """The index of the newline (or block end) that ends an attribute's expression starting at `start`."""
    depth, position = 0, start
    while True:
        token = items[position]
        if token.kind == "end":
            return position
        if token.kind == "punct" and token.value in ("(", "[", "{"):
            depth += 1
        elif token.kind == "punct" and token.value in (")", "]", "}"):
            if depth == 0:
                return position
            depth -= 1
        elif token.kind == "newline" and depth == 0:
            return position
        position += 1
