"""`rightsgraph` command line. Each command is a few lines over the modules it calls;
every failure ends as one line in the user's language and an exit code (errors.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__, translation
from . import errors, opening
from .localized import LocalizedGroup, use_catalogue_for_click


class _Context:
    """Opens the store lazily, once, and brings the system graphs up to date."""

    def __init__(self, data_dir: Path | None, store_url: str | None, lang: str):
        self.data_dir = data_dir
        self.store_url = store_url
        self.lang = lang
        self.failed = False     # the command failed: a store it created is removed again
        self._created = False   # this run created the embedded store
        self._store = None

    @property
    def accounts_file(self) -> Path:
        return opening.data_dir_of(self.data_dir) / "accounts.json"

    @property
    def where(self) -> str:
        return self.store_url or str(opening.data_dir_of(self.data_dir))

    def store(self, create: bool = False):
        """The store; the embedded one must exist unless `create` (commands that store data)."""
        if self._store is None:
            from ..store.base import StoreError
            from ..system_graphs import ensure_system_graphs
            if self.store_url:
                store = opening.open_remote(self.store_url)
            else:
                # only a folder this run makes is ever removed again (close)
                self._created = create and not (opening.data_dir_of(self.data_dir) / "store").exists()
                store = opening.open_embedded(self.data_dir, create=create)
            self._store = store
            try:
                ensure_system_graphs(store)
            except StoreError as exc:
                raise errors.store_unusable(self.where, exc, remote=bool(self.store_url)) from None
        return self._store

    def close(self):
        """Flush and let go of the store (its lock too: a server's worker opens its own)."""
        if self._store is not None:
            try:
                self._store.close()
            finally:
                self._store = None
                import gc
                gc.collect()
        if self._created and self.failed:
            opening.remove_new_store(self.data_dir)
            self._created = False


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2


class _Main(LocalizedGroup):
    """The `rightsgraph` group: no Python traceback reaches the user (errors.py); help and
    messages in the language of --lang or the environment (localized.py)."""

    @staticmethod
    def _failed(ctx: click.Context) -> None:
        state = (ctx.obj or {}).get("state")
        if state is not None:
            state.failed = True

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit as exc:
            if exc.exit_code:
                self._failed(ctx)
            raise
        except (click.ClickException, click.Abort, KeyboardInterrupt):
            self._failed(ctx)
            raise
        except BrokenPipeError:  # `rightsgraph export | head`: the reader left; click exits quietly
            raise
        except Exception as exc:
            self._failed(ctx)
            if errors.debug():
                raise
            state = (ctx.obj or {}).get("state")
            raise errors.from_exception(exc, state.where if state else None,
                                        remote=bool(state and state.store_url)) from exc

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        # --help is eager (it renders before --lang is parsed): the language comes from the
        # command line as written, else the environment
        translation.set_lang(translation.lang_in_args(sys.argv[1:] if args is None else args))
        use_catalogue_for_click()
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # `rightsgraph`, `rightsgraph licence`: the help, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            errors.report(exc, args)
            sys.exit(exc.exit_code)
        except click.Abort:
            errors.report(errors.interrupted(), args)
            sys.exit(errors.EXIT_INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - raised outside any command (closing the store)
            if errors.debug():
                raise
            err = errors.from_exception(exc)
            errors.report(err, args)
            sys.exit(err.exit_code)
        sys.exit(rv if type(rv) is int else 0)  # an exit code (ctx.exit), or a command's result


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rightsgraph")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="RIGHTSGRAPH_DATA",
              help="Store directory (env RIGHTSGRAPH_DATA; default ~/.local/share/rightsgraph/store).")
@click.option("--store", "store_url", metavar="URL", envvar="RIGHTSGRAPH_STORE",
              help="Use a remote SPARQL 1.1 store instead of the embedded one: an Oxigraph server's base "
                   "URL, or query=URL,update=URL,gsp=URL (env RIGHTSGRAPH_STORE).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=translation.env_lang, show_default="from LANG",
              help="Language of messages (validation reports, explanations).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, store_url: str | None, lang: str) -> None:
    """rightsgraph: rights metadata for digital libraries (ODRL 2.2, PREMIS 3, SHACL, SPARQL 1.1)."""
    translation.set_lang(lang)
    state = _Context(data_dir, store_url, lang)
    ctx.obj = {"state": state, "store": state.store, "lang": lang}
    ctx.call_on_close(state.close)


from . import admin_cmds, store_cmds  # noqa: E402,F401  (commands register themselves on `main`)
from . import licence_cmds  # noqa: E402,F401  (licence import/show/compare, report assets/risks)

from .decide import check, evaluate  # noqa: E402  (a missing part is an error, never a vanished command)
main.add_command(check)
main.add_command(evaluate)

from . import holdings_cmds  # noqa: E402,F401  (entitlement)
from . import exchange_cmds  # noqa: E402,F401  (kbart, harvest; export --shareable)
from . import usage_cmds  # noqa: E402,F401  (usage import/list/remove, payments, report usage|cost-per-use|demand)
from . import backup_cmds  # noqa: E402,F401  (backup, restore)
from . import recover_cmd  # noqa: E402,F401  (recover: the journal after a crash)
from . import preserve_cmds  # noqa: E402,F401  (preserve ...; report preservation)
from . import acquisition_cmds  # noqa: E402,F401  (acquisition record/show/list/timeliness)

__all__ = ["main"]
