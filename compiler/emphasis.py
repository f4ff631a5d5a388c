"""Fountain emphasis inside one line: *italic*, **bold**, ***bold italic***, _underline_.

A marker opens when text follows it without a space and closes when text precedes it without
one; an underscore inside a word is a letter; a marker that finds no partner on its line is
literal text, and a backslash makes the next `*`, `_` or `\\` literal. Emphasis never spans
lines (each line is parsed alone).
"""

from __future__ import annotations

import re

from .ir import Run

_MARK = re.compile(r"\\([*_\\])|\*{1,3}|_")
_STYLE = {"***": ("bold", "italic"), "**": ("bold",), "*": ("italic",), "_": ("underline",)}


def parse_emphasis(text: str) -> tuple[str, tuple[Run, ...]]:
    """The plain text of a line and its styled runs (empty when nothing is styled)."""
    if "*" not in text and "_" not in text and "\\" not in text:
        return text, ()
    # Tokens: a str is literal text; a tuple is a marker (marker, start, end).
    tokens: list = []
    pos = 0
    for m in _MARK.finditer(text):
        if m.start() > pos:
            tokens.append(text[pos : m.start()])
        tokens.append(m.group(1) if m.group(1) else (m.group(), m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        tokens.append(text[pos:])

    openers: set[int] = set()
    closers: set[int] = set()
    stack: list[int] = []  # indexes of open markers
    for i, tok in enumerate(tokens):
        if isinstance(tok, str):
            continue
        mark, start, end = tok
        can_close = start > 0 and not text[start - 1].isspace()
        can_open = end < len(text) and not text[end].isspace()
        if mark == "_":
            # Inside a word an underscore is a letter (snake_case_name), as in CommonMark.
            can_open = can_open and (start == 0 or not text[start - 1].isalnum())
            can_close = can_close and (end == len(text) or not text[end].isalnum())
        partner = next((k for k in range(len(stack) - 1, -1, -1) if tokens[stack[k]][0] == mark), None)
        # A pair must hold some text: `__` and `**` alone are literal.
        if can_close and partner is not None and stack[partner] != i - 1:
            openers.add(stack[partner])
            closers.add(i)
            del stack[partner:]
        elif can_open:
            stack.append(i)

    styles = {"bold": 0, "italic": 0, "underline": 0}
    runs: list[Run] = []
    plain: list[str] = []
    for i, tok in enumerate(tokens):
        if isinstance(tok, str) or (i not in openers and i not in closers):
            piece = tok if isinstance(tok, str) else tok[0]
            plain.append(piece)
            flags = (styles["bold"] > 0, styles["italic"] > 0, styles["underline"] > 0)
            if runs and (runs[-1].bold, runs[-1].italic, runs[-1].underline) == flags:
                runs[-1] = Run(text=runs[-1].text + piece, bold=flags[0], italic=flags[1], underline=flags[2])
            else:
                runs.append(Run(text=piece, bold=flags[0], italic=flags[1], underline=flags[2]))
            continue
        delta = 1 if i in openers else -1
        for style in _STYLE[tok[0]]:
            styles[style] += delta
    if not any(r.bold or r.italic or r.underline for r in runs):
        return "".join(plain), ()
    return "".join(plain), tuple(runs)

