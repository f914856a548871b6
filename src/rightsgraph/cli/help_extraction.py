"""Babel extraction method for the command line's modules (babel.cfg): the `_()` messages, as
Babel's Python extractor finds them, and the help texts click shows (command docstrings,
`help=`, `short_help=`, `epilog=` and worded `show_default=`), which are msgids too
(cli/localized.py translates them when the help renders)."""

from __future__ import annotations

import ast

from babel.messages.extract import extract_python

from .localized import help_msgid

_HELP_KEYWORDS = ("help", "short_help", "epilog", "show_default")


def _is_command_decorator(node: ast.expr) -> bool:
    call = node.func if isinstance(node, ast.Call) else node
    return isinstance(call, ast.Attribute) and call.attr in ("command", "group")


def help_texts(source: str):
    """(line, text) of every help text in a module's source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in _HELP_KEYWORDS and isinstance(kw.value, ast.Constant) \
                        and isinstance(kw.value.value, str) and kw.value.value:
                    text = help_msgid(kw.value.value) if kw.arg != "show_default" else kw.value.value
                    yield kw.value.lineno, text
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(_is_command_decorator(d) for d in node.decorator_list):
                doc = ast.get_docstring(node, clean=False)
                if doc and help_msgid(doc):
                    yield node.body[0].lineno, help_msgid(doc)


def extract(fileobj, keywords, comment_tags, options):
    """A Babel extraction method (babel.cfg: `[rightsgraph.cli.help_extraction:extract: ...]`)."""
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    encoding = options.get("encoding", "utf-8")
    text = source.decode(encoding) if isinstance(source, bytes) else source
    for lineno, message in help_texts(text):
        yield lineno, None, message, ["click help"]
