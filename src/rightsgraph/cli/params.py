"""Parameter types of the command line that check their value before any work is done."""

from __future__ import annotations

import os
from pathlib import Path

import click
from pyoxigraph import NamedNode

from ..translation import gettext
from . import errors


class IriType(click.ParamType):
    """An absolute IRI (RFC 3987, as Oxigraph checks it). With `prefixed`, the short forms
    the decision doors take are expanded first (`rg:Email`, `odrl:read`)."""

    name = "IRI"

    def __init__(self, prefixed: bool = False):
        self.prefixed = prefixed

    def convert(self, value, param, ctx):
        text = self._expanded(str(value).strip())
        try:
            NamedNode(self._as_iri(text))
        except ValueError as exc:
            self.fail(errors.bad_iri(str(value), exc), param, ctx)
        return text

    def _expanded(self, text: str) -> str:
        if self.prefixed:
            from ..decision_service import expand
            return expand(text)
        return text

    def _as_iri(self, text: str) -> str:
        return text


IRI = IriType()


class LicenceName(IriType):
    """A licence as an IRI, a prefixed name (`lic:L01`) or a local name (`L01`): kept as
    given for licences.registry.resolve_licence, but never something no IRI could come from."""

    name = "LICENCE"

    def _as_iri(self, text: str) -> str:
        return text if ":" in text else "x:" + text


LICENCE_NAME = LicenceName()
PREFIXED_IRI = IriType(prefixed=True)


class OutputFile(click.Path):
    """A file to write: its folder must exist and be writable, checked before any work
    (a load is not validated only to fail on writing its report)."""

    def __init__(self):
        super().__init__(dir_okay=False, writable=True, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        folder = path.parent
        if not folder.is_dir():
            self.fail(gettext("the folder %(folder)s does not exist", errors.current_lang(), folder=folder), param, ctx)
        if not os.access(folder, os.W_OK):
            self.fail(gettext("cannot write in %(folder)s", errors.current_lang(), folder=folder), param, ctx)
        return path


OUTPUT_FILE = OutputFile()
