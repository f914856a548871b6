"""How the command line fails: one line in the user's language and a documented exit code.

Exit codes (README, "Exit codes"):

    0    done
    1    rejected: the data failed validation, invalid rows, or deny with --exit-code;
         nothing was stored
    2    wrong usage: unknown command or option, a bad value or IRI, no store at
         --data-dir, a malformed --store, a --port in use
    3    a file cannot be read, parsed or written; nothing was stored
    4    harvest: the peer is down or answered garbage; nothing changed
    5    the store cannot be used now: locked by a running server or command, the remote
         store unreachable or failing
    70   internal error (a bug, or an incomplete installation); RIGHTSGRAPH_DEBUG=1 shows
         the Python traceback
    130  interrupted (Ctrl-C)

Messages are msgids of the gettext catalogues (translation.py: `both` for a CliError, which
carries both languages); details that come from a library (an OS error, a parser) stay as
the library wrote them.
"""

from __future__ import annotations

import os
import re
import sys

import click

from .. import translation
from ..translation import LANGUAGES, both, gettext

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_PEER = 4
EXIT_STORE = 5
EXIT_NOT_HELD = 6       # check --exit-code: the store holds no such resource (neither permit nor deny)
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

DEBUG_VARIABLE = "RIGHTSGRAPH_DEBUG"

def set_lang(lang: str | None) -> None:
    translation.set_lang(lang)


def current_lang(args: list[str] | None = None) -> str:
    """The --lang in force; before it is parsed, the one on the command line or from the
    environment."""
    return translation.lang_in_args(sys.argv[1:] if args is None else args) or translation.current_lang()


env_lang = translation.env_lang


def debug() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


class CliError(click.ClickException):
    """A failure the user can act on, told in both languages."""

    def __init__(self, texts: dict[str, str], exit_code: int):
        super().__init__(texts["en"])
        self.texts = texts
        self.exit_code = exit_code

    def text(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts["en"]


def _first_line(text: object, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


# ---------------------------------------------------------------------------- the store
def no_store(data_dir, store, *, exists: bool, create_hint: str = "init") -> CliError:
    if create_hint == "serve":
        how = both("`serve --create` starts on a new empty store")
    else:
        how = both("`rightsgraph --data-dir %(dir)s init` creates an empty store, `load` creates one and "
                   "loads into it", dir=data_dir)
    why = both("is not an Oxigraph store") if exists else both("does not exist")
    return CliError({lang: gettext("no store in %(dir)s (%(store)s %(why)s): check --data-dir or "
                                   "RIGHTSGRAPH_DATA; %(how)s", lang, dir=data_dir, store=store,
                                   why=why[lang], how=how[lang]) for lang in LANGUAGES}, EXIT_USAGE)


def _share(lang: str) -> str:
    return gettext("commands and servers can share a store run by `oxigraph serve` (--store URL, "
                   "docs/remote-store.md)", lang)


def store_locked(data_dir, server: dict | None) -> CliError:
    if server:
        return CliError({lang: gettext(
            "the store in %(dir)s is in use by a running rightsgraph server (pid %(pid)s, %(url)s): "
            "use that server over HTTP (%(url)ssparql), or stop it first; %(share)s", lang,
            dir=data_dir, pid=server["pid"], url=server["url"], share=_share(lang))
            for lang in LANGUAGES}, EXIT_STORE)
    return CliError({lang: gettext(
        "the store in %(dir)s is in use by another process (a running `rightsgraph serve`, or a command "
        "still at work): stop it or wait for it; %(share)s", lang, dir=data_dir, share=_share(lang))
        for lang in LANGUAGES}, EXIT_STORE)


def store_unusable(where: str, detail: object, *, remote: bool) -> CliError:
    detail = _first_line(detail)
    if remote:
        return CliError(both("cannot use the store at %(where)s: %(detail)s (is the SPARQL server running? "
                             "--store, RIGHTSGRAPH_STORE)", where=where, detail=detail), EXIT_STORE)
    return CliError(both("cannot use the store in %(where)s: %(detail)s", where=where, detail=detail), EXIT_STORE)


def journal_entry_failed(where, exc) -> CliError:
    """The store's journal holds a committed write that cannot be applied (store/journal.py)."""
    return CliError(both(
        "the store in %(where)s was not opened: a write committed before a crash cannot be finished "
        "(%(entry)s: %(reason)s). Nothing was changed. Restore the latest backup "
        "(rightsgraph restore DIR --force), or open the store as it is and keep the write for inspection: "
        "rightsgraph recover --set-aside", where=where, entry=exc.entry.name, reason=_first_line(exc.reason)),
        EXIT_STORE)


def bad_store_url(url: str) -> CliError:
    return CliError(both("--store %(url)r: not a store address: give the base URL of an Oxigraph server "
                         "(http://host:7878) or query=URL,update=URL,gsp=URL", url=url), EXIT_USAGE)


# ---------------------------------------------------------------------------- files, ports
def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or _first_line(exc)


def cannot_read(path, exc: BaseException) -> CliError:
    return CliError(both("cannot read %(path)s: %(reason)s", path=path, reason=_reason(exc)), EXIT_BAD_INPUT)


def cannot_write(path, exc: BaseException) -> CliError:
    return CliError(both("cannot write %(path)s: %(reason)s", path=path, reason=_reason(exc)), EXIT_BAD_INPUT)


def not_utf8(path, exc: UnicodeDecodeError) -> CliError:
    return CliError(both("cannot read %(path)s: not UTF-8 text (byte %(byte)s)", path=path, byte=exc.start),
                    EXIT_BAD_INPUT)


def bad_iri(value: str, exc: BaseException | None = None) -> str:
    """The message of a bad IRI parameter (click adds which parameter)."""
    why = f" ({_first_line(exc)})" if exc else ""
    return gettext("not an absolute IRI: %(value)r%(why)s", current_lang(), value=value, why=why)


# ---------------------------------------------------------------------------- the backstop
def broken_install(exc: BaseException) -> CliError:
    looked = ", ".join(map(str, getattr(exc, "looked_in", [])))
    return CliError(both("incomplete installation: cannot find the rightsgraph ontology/ and shapes/ folders "
                         "(looked in: %(looked)s); reinstall, or set RIGHTSGRAPH_HOME to the folder that "
                         "holds them", looked=looked), EXIT_INTERNAL)


def unexpected(exc: BaseException) -> CliError:
    what = f"{type(exc).__name__}: {_first_line(exc, 200)}"
    return CliError(both("unexpected error (%(what)s); run with %(variable)s=1 for details",
                         what=what, variable=DEBUG_VARIABLE), EXIT_INTERNAL)


def interrupted() -> CliError:
    return CliError(both("interrupted"), EXIT_INTERRUPTED)


def from_exception(exc: BaseException, where: str | None = None, remote: bool = False) -> CliError:
    """A CliError for an exception no command turned into one itself."""
    from ..package_data import ResourcesNotFound
    from ..store.base import StoreError
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, StoreError):
        return store_unusable(where or "", exc, remote=remote)
    if isinstance(exc, ResourcesNotFound):
        return broken_install(exc)
    if isinstance(exc, OSError) and exc.filename:
        return cannot_read(exc.filename, exc)
    return unexpected(exc)


# ---------------------------------------------------------------------------- writing it
def _prefix(lang: str) -> str:
    return gettext("error: %(message)s", lang, message="")

def render(exc: click.ClickException, lang: str) -> str:
    """One line: `error: …` in `lang` (the catalogue's words)."""
    if isinstance(exc, CliError):
        return gettext("error: %(message)s", lang, message=exc.text(lang))
    message = _first_line(exc.format_message(), 1000)
    if isinstance(exc, click.UsageError):
        if lang == "zh":  # click ends some messages with its own "." (Missing option '--x'.)
            message = re.sub(r"(?<=[\w'\"])\.$", "。", message)
        ctx = exc.ctx
        if ctx is not None:
            help_hint = f"{ctx.command_path} --help"
            message += gettext(" (see `%(command)s`)", lang, command=help_hint)
    return gettext("error: %(message)s", lang, message=message)


def report(exc: click.ClickException, args: list[str] | None = None) -> None:
    click.echo(render(exc, current_lang(args)), err=True)
