"""`rightsgraph` command line. Each command is a few lines over the modules it calls."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import __version__


def _default_lang() -> str:
    lang = os.environ.get("RIGHTSGRAPH_LANG") or os.environ.get("LANG", "")
    return "zh" if lang.lower().startswith("zh") else "en"


class _Context:
    """Opens the store lazily, once, and brings the system graphs up to date."""

    def __init__(self, data_dir: Path | None, store_url: str | None, lang: str):
        self.data_dir = data_dir
        self.store_url = store_url
        self.lang = lang
        self._store = None

    @property
    def accounts_file(self) -> Path:
        from ..store.embedded import default_data_dir
        return Path(self.data_dir or default_data_dir()) / "accounts.json"

    @property
    def where(self) -> str:
        return self.store_url or str(self.data_dir or "the default store")

    def store(self):
        if self._store is None:
            from ..system_graphs import ensure_system_graphs
            if self.store_url:
                from ..store.remote import RemoteStore
                self._store = RemoteStore.from_url(self.store_url)
            else:
                from ..store.embedded import open_store
                self._store = open_store(self.data_dir)
            ensure_system_graphs(self._store)
        return self._store

    def close(self):
        """Flush and let go of the store (its lock too: a server's worker opens its own)."""
        if self._store is not None:
            getattr(self._store, "flush", lambda: None)()
            self._store.close()
            self._store = None
            import gc
            gc.collect()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rightsgraph")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="RIGHTSGRAPH_DATA",
              help="Store directory (env RIGHTSGRAPH_DATA; default ~/.local/share/rightsgraph/store).")
@click.option("--store", "store_url", metavar="URL", envvar="RIGHTSGRAPH_STORE",
              help="Use a remote SPARQL 1.1 store instead of the embedded one: an Oxigraph server's base "
                   "URL, or query=URL,update=URL,gsp=URL (env RIGHTSGRAPH_STORE).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=_default_lang, show_default="from LANG",
              help="Language of messages (validation reports, explanations).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, store_url: str | None, lang: str) -> None:
    """rightsgraph: rights metadata for digital libraries (ODRL 2.2, PREMIS 3, SHACL, SPARQL 1.1)."""
    state = _Context(data_dir, store_url, lang)
    ctx.obj = {"state": state, "store": state.store, "lang": lang}
    ctx.call_on_close(state.close)


from . import admin_cmds, store_cmds  # noqa: E402,F401  (commands register themselves on `main`)
from . import licence_cmds  # noqa: E402,F401  (licence import/show/compare, report assets/risks)

try:  # the decision commands (check, evaluate) come with the policy engine
    from .decide import check, evaluate  # noqa: E402
    main.add_command(check)
    main.add_command(evaluate)
except ImportError:  # pragma: no cover
    pass

from . import exchange_cmds  # noqa: E402,F401  (kbart, harvest; export --shareable)
from . import usage_cmds  # noqa: E402,F401  (usage import/list/remove, payments, report usage|cost-per-use|demand)
from . import backup_cmds  # noqa: E402,F401  (backup, restore)
from . import preserve_cmds  # noqa: E402,F401  (preserve ...; report preservation)

__all__ = ["main"]
