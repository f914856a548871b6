"""click in the command line's language: `--help` and click's own messages from the catalogues.

Help texts are written in English in the code (docstrings, `help=`); they are the msgids and
are translated when the help renders, so the language may be chosen after the commands were
defined (`--lang`, read before click parses: `--help` is eager). click's own words ("Usage:",
"No such option ...") are msgids of click's, which it looks up with the standard library's
`gettext`; `use_catalogue_for_click` points those look-ups at our catalogue
(cli/click_messages.py lists the ones we translate). Chinese help wraps by display width
(two columns a character), not by character count as click does.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import inspect
import re
import sys
from contextlib import contextmanager

import click
from click.formatting import HelpFormatter, wrap_text
from wcwidth import wcwidth

from .. import translation
from ..text_columns import width


def help_msgid(text: str | None) -> str:
    """The msgid of a command's help: its docstring as click shows it (dedented, up to \\f)."""
    return inspect.cleandoc(text or "").partition("\f")[0].strip()


def _help(text: str | None) -> str | None:
    return translation.gettext(help_msgid(text)) if text else text


@contextmanager
def _translated_params(params):
    """Each parameter's help (and a worded show_default) in the current language, while
    click renders them; put back afterwards (the command objects are shared)."""
    saved = []
    for p in params:
        saved.append((p, p.help if hasattr(p, "help") else None, getattr(p, "show_default", None)))
        if getattr(p, "help", None):
            p.help = translation.gettext(p.help)
        if isinstance(getattr(p, "show_default", None), str):
            p.show_default = translation.gettext(p.show_default)
    try:
        yield
    finally:
        for p, help_text, show_default in saved:
            if hasattr(p, "help"):
                p.help = help_text
            if isinstance(show_default, str):
                p.show_default = show_default


# ------------------------------------------------------------------ wrapping by display width
_TOKEN = re.compile(r"\s+|[^\s\u1100-\uffff]+|.", re.S)
_NO_LINE_START = set("，。、；：！？）」』》〉”’%")


def _wrap_wide(text: str, columns: int, first: str, rest: str) -> list[str]:
    """Greedy wrapping where a wide character is one token of two columns. A line never
    starts with closing punctuation: the character before it moves down with it."""
    lines: list[str] = []
    indent, tokens = first, []

    def used() -> int:
        return width(indent) + sum(width(t) for t in tokens)

    for token in _TOKEN.findall(text):
        if token.isspace():
            if tokens:
                tokens.append(" ")
            continue
        if tokens and used() + width(token) > columns:
            carried = []
            if token[0] in _NO_LINE_START:      # "1.1）" + "。": both closing marks move down
                while len(tokens) > 1 and not tokens[-1].isspace():
                    carried.insert(0, tokens.pop())
                    if carried[0][0] not in _NO_LINE_START:
                        break
            lines.append((indent + "".join(tokens)).rstrip())
            indent, tokens = rest, carried
        tokens.append(token)
    lines.append((indent + "".join(tokens)).rstrip())
    return lines


def wrap(text: str, columns: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """click's `wrap_text` (paragraphs kept, \\b blocks left alone), by display width when
    the text holds wide characters."""
    if not any(wcwidth(ch) == 2 for ch in text):
        return wrap_text(text, columns, initial_indent=initial_indent,
                         subsequent_indent=subsequent_indent, preserve_paragraphs=True)
    paragraphs = re.split(r"\n\s*\n", text.expandtabs())
    out = []
    for para in paragraphs:
        if para.lstrip("\n").startswith("\b"):
            block = para.lstrip("\n")[1:].strip("\n")
            out.append("\n".join(initial_indent + ln for ln in block.splitlines()))
        else:
            joined = " ".join(ln.strip() for ln in para.splitlines())
            # two Chinese lines joined: no space between wide characters
            joined = re.sub(r"(?<=[\u1100-\uffff]) (?=[\u1100-\uffff])", "", joined)
            out.append("\n".join(_wrap_wide(joined, columns, initial_indent, subsequent_indent)))
    return "\n\n".join(out)


class DisplayWidthFormatter(HelpFormatter):
    """click's help formatter, wrapping Chinese by terminal columns."""

    def write_heading(self, heading: str) -> None:
        colon = ":" if width(heading) == len(heading) else "："
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap(text, self.width, indent, indent))
        self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - width(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(text, max(self.width - first_col - 2, 10)).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class LocalizedContext(click.Context):
    formatter_class = DisplayWidthFormatter


def _short_help(text: str, limit: int) -> str:
    """The first sentence of a translated help, cut to `limit` columns (click's own
    shortening counts characters and looks for an English full stop)."""
    first = text.partition("\n\n")[0]
    first = re.sub(r"\s*\n\s*", " ", first).strip()
    sentence = re.split(r"(?<=[。！？])|(?<=\.)\s", first, maxsplit=1)[0].strip()
    if width(sentence) <= limit:
        return sentence
    from ..text_columns import clip
    return clip(sentence, limit - 1) + "…"


class LocalizedCommand(click.Command):
    """A command whose help is shown in the command line's language."""

    context_class = LocalizedContext

    def format_help_text(self, ctx, formatter):
        saved = self.help
        self.help = _help(saved)
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = saved

    def format_options(self, ctx, formatter):
        with _translated_params(self.get_params(ctx)):
            super().format_options(ctx, formatter)

    def format_epilog(self, ctx, formatter):
        saved = self.epilog
        self.epilog = _help(saved)
        try:
            super().format_epilog(ctx, formatter)
        finally:
            self.epilog = saved

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return translation.gettext(inspect.cleandoc(self.short_help))
        if translation.current_lang() == "en" or not self.help:
            return super().get_short_help_str(limit)
        return _short_help(_help(self.help), limit)


class LocalizedGroup(LocalizedCommand, click.Group):
    """A group of commands whose help (its own and its commands' lines) is translated."""

    command_class = LocalizedCommand
    group_class = type      # subgroups are LocalizedGroups too


# ------------------------------------------------------------------ click's own messages
def _click_gettext(message: str) -> str:
    return translation.gettext(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return translation.ngettext(singular, plural, n)


def use_catalogue_for_click() -> None:
    """click's modules call `gettext.gettext`/`ngettext` (bound at their import, under `_`
    and `ngettext`): rebind those names to our catalogue in the current language. Done when
    the command line starts, after the commands were defined, so no help text is translated
    at import time (it is translated when shown)."""
    for name, module in list(sys.modules.items()):
        if not (name == "click" or name.startswith("click.")) or module is None:
            continue
        if getattr(module, "_", None) is stdlib_gettext.gettext:
            module._ = _click_gettext
        if getattr(module, "ngettext", None) is stdlib_gettext.ngettext:
            module.ngettext = _click_ngettext


__all__ = ["LocalizedCommand", "LocalizedGroup", "LocalizedContext", "DisplayWidthFormatter",
           "help_msgid", "wrap", "use_catalogue_for_click"]
