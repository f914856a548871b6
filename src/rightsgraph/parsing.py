"""Parse RDF files into a staging store, turning parser errors into messages that name
the file, line and column. Input beyond the bounds of input_limits (nesting, entity
expansion) is refused the same way, before a parser sees it."""

from __future__ import annotations

import hashlib
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from .input_limits import InputRefused, check_rdf, gunzip
from .rdf_formats import is_quad_format
from .translation import gettext


class RdfSyntaxError(ValueError):
    """A file is not valid RDF in the syntax it was read as, or is refused by input_limits
    (then `refused` holds the English and Chinese explanation)."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str,
                 refused: InputRefused | None = None):
        self.path, self.line, self.column, self.detail, self.refused = path, line, column, detail, refused
        super().__init__(self.text("en"))

    def _where(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"

    def text(self, lang: str = "en") -> str:
        """The message in `lang` ("en" or "zh"); a parser's own explanation stays English."""
        lang = "zh" if lang.startswith("zh") else "en"
        detail = self.refused.text(lang) if self.refused is not None else self.detail
        return gettext("%(where)s: syntax error: %(detail)s", lang, where=self._where(), detail=detail)


@dataclass
class SourceFile:
    path: Path
    data: bytes
    sha256: str
    fmt: RdfFormat
    stamp: tuple | None = None   # (size, mtime_ns) when read: tells if the file changed since
    display: str | None = None   # name in messages when not a file path (e.g. "HTTP PUT <g>")
    checked: bool = False        # passed check_source already


def read_source(path: Path, fmt: RdfFormat) -> SourceFile:
    """Read a file and check it against input_limits (here, because large files may be
    parsed by the loader itself, with a progress bar, instead of by parse_into)."""
    st = path.stat()
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()  # of the file as given, compressed or not
    if path.suffix == ".gz":
        try:
            data = gunzip(raw)
        except InputRefused as exc:
            raise RdfSyntaxError(str(path), None, None, str(exc), exc) from None
    else:
        data = raw
    source = SourceFile(path, data, digest, fmt, (st.st_size, st.st_mtime_ns))
    check_source(source)
    return source


def check_source(source: SourceFile) -> None:
    """Refuse input that would crash or swamp the parser (input_limits) as an RdfSyntaxError
    naming the file, line and column."""
    if source.checked:
        return
    try:
        check_rdf(source.data, source.fmt)
    except InputRefused as exc:
        raise RdfSyntaxError(source.display or str(source.path), exc.line, exc.column, str(exc), exc) from None
    source.checked = True


def unchanged_on_disk(source: SourceFile) -> bool:
    """Whether the file still is what was read (so it may be read again instead of copied)."""
    try:
        st = source.path.stat()
    except OSError:
        return False
    return source.stamp == (st.st_size, st.st_mtime_ns) and source.path.suffix != ".gz"


def parse_into(staging: ox.Store, source: SourceFile, graph: NamedNode,
               base_iri: str | None = None) -> None:
    """Parse `source` into `staging`: triples go to `graph`; quad syntaxes keep their named
    graphs and send default-graph triples to `graph`."""
    base = base_iri or source.path.resolve().as_uri()
    check_source(source)
    data = source.data
    if source.fmt == RdfFormat.JSON_LD:
        # the standard ODRL @context is resolved from the bundled copy, never fetched
        from .policy.jsonld import RemoteContextError, inline_known_contexts
        try:
            data = inline_known_contexts(data)
        except RemoteContextError as exc:
            raise RdfSyntaxError(source.display or str(source.path), None, None, str(exc)) from None
    try:
        if is_quad_format(source.fmt):
            # Parse then re-home default-graph quads: pyoxigraph's to_graph only applies
            # to triple syntaxes. Blank-node labels are renamed, as Store.load does: `_:b1`
            # of two files loaded together are two nodes.
            quads = []
            for q in ox.parse(data, source.fmt, base_iri=base, rename_blank_nodes=True):
                if isinstance(q.graph_name, ox.DefaultGraph):
                    q = ox.Quad(q.subject, q.predicate, q.object, graph)
                quads.append(q)
            staging.extend(quads)
        else:
            staging.load(data, source.fmt, base_iri=base, to_graph=graph)
    except SyntaxError as exc:
        raise _syntax_error(source, exc) from None


def _syntax_error(source: SourceFile, exc: SyntaxError) -> RdfSyntaxError:
    line, column = exc.lineno, exc.offset
    detail = exc.msg if hasattr(exc, "msg") and exc.msg else str(exc)
    # Oxigraph's message repeats the position; keep only the explanation.
    if ": " in detail and detail.startswith("Parser error"):
        detail = detail.split(": ", 1)[1]
    if line is None and source.fmt == RdfFormat.RDF_XML:
        line, column = _xml_error_position(source.data)
    return RdfSyntaxError(source.display or str(source.path), line, column, detail)


def _xml_error_position(data: bytes) -> tuple[int | None, int | None]:
    """RDF/XML errors from Oxigraph carry no position; expat finds the XML-level one."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as err:
        return err.lineno, err.offset + 1
    return None, None
