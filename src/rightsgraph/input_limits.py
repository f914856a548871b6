"""Bounds on hostile input, checked before a parser sees it (docs/service.md, "Limits").

Oxigraph's parsers trust their input more than a public service can:
- a JSON-LD document or a SPARQL query nested a few thousand levels deep, or a SPARQL
  query chaining a few thousand patterns or operators, overflows the native stack and
  kills the process (a segfault: no Python exception to catch);
- an RDF/XML file whose entities expand into other entities ("billion laughs") turns a
  kilobyte into gigabytes of memory, and RDF/XML nested 20,000 elements deep takes
  minutes to parse (the time grows with the cube of the depth);
- a request body sent with `Transfer-Encoding: chunked` is cut at the body limit by
  werkzeug and then looks complete.
Each check here is one linear scan that refuses such input with a message naming where
it is; the limits are far above anything real data or a real query needs.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
from itertools import accumulate, repeat
from operator import sub

from pyoxigraph import RdfFormat

from .bilingual import compose, in_lang
from .translation import both

MAX_NESTING = 256             # brackets / JSON arrays and objects / XML elements open at once
MAX_SPARQL_CHAIN = 1000       # SPARQL patterns and operators chained along one path (see check_sparql)
MAX_ENTITY_NESTING = 4        # RDF/XML: an entity defined with entities defined with entities ...
MAX_ENTITY_BYTES = 64 * 1024  # RDF/XML: the expanded value of one entity
MAX_ENTITY_GROWTH = 10        # RDF/XML: entities may grow a document at most this many times ...
MIN_ENTITY_ALLOWANCE = 1 << 20  # ... or to this many bytes, whichever is more
MAX_GZIP_GROWTH = 200         # a .gz file may unpack to this many times its size (RDF: 5-30x) ...
MIN_GZIP_ALLOWANCE = 256 << 20  # ... or to this many bytes, whichever is more (a gzip bomb is 1000x)


class InputRefused(ValueError):
    """Input beyond one of the bounds. `line` and `column` (1-based) say where, when known."""

    def __init__(self, messages: dict[str, str], line: int | None = None, column: int | None = None):
        """`messages`: {"en": ..., "zh": ...} (from `both`)."""
        super().__init__(messages["en"])
        self.messages = messages
        self.line, self.column = line, column

    def text(self, lang: str = "en") -> str:
        return in_lang(self.messages, lang)


def _position(text, offset: int) -> tuple[int, int]:
    """1-based (line, column) of `offset` in a str or bytes."""
    newline = "\n" if isinstance(text, str) else b"\n"
    line_start = text.rfind(newline, 0, offset) + 1
    return text.count(newline, 0, offset) + 1, offset - line_start + 1


def _where(line: int | None, column: int | None) -> dict[str, str] | str:
    """" (line L, column C)" in each language, or nothing when the place is not known."""
    if line is None:
        return ""
    return both(" (line %(line)s, column %(column)s)", line=line, column=column)


def _too_deep(what: dict[str, str], line=None, column=None) -> InputRefused:
    return InputRefused(compose(both("%(what)s nested more than %(n)s levels deep%(where)s; refused to protect "
                                     "the service"),
                                what=what, n=MAX_NESTING, where=_where(line, column)), line, column)


# ----------------------------------------------------------------------------- RDF files

def gunzip(raw: bytes) -> bytes:
    """A .gz file's content, refused once it unpacks past MAX_GZIP_GROWTH times its size
    (and MIN_GZIP_ALLOWANCE): streamed, so a gzip bomb is stopped before it fills memory."""
    import zlib
    allowance = max(MAX_GZIP_GROWTH * len(raw), MIN_GZIP_ALLOWANCE)
    out, size = [], 0
    stream = zlib.decompressobj(wbits=31)     # gzip framing; members after the first below
    data = raw
    try:
        while data:
            chunk = stream.decompress(data, 1 << 20)
            size += len(chunk)
            if size > allowance:
                raise InputRefused(both("the gzip file unpacks to more than %(bytes)s bytes (%(times)s times its "
                                        "size); refused to protect the service",
                                        bytes=f"{allowance:,}", times=MAX_GZIP_GROWTH))
            out.append(chunk)
            data = stream.unconsumed_tail
            if not data and stream.eof and stream.unused_data:     # concatenated gzip members
                data, stream = stream.unused_data, zlib.decompressobj(wbits=31)
    except zlib.error as exc:
        raise InputRefused(both("not a valid gzip file: %(reason)s", reason=exc)) from None
    return b"".join(out)


def check_rdf(data: bytes, fmt: RdfFormat) -> None:
    """Refuse RDF that would crash or swamp Oxigraph's parser. Turtle, TriG, N-Triples and
    N-Quads need no check: their parsers keep an explicit stack (measured: 100,000 nested
    `[` or `(` parse in a fraction of a second)."""
    if fmt == RdfFormat.JSON_LD:
        check_json_nesting(data, "JSON-LD")
    elif fmt == RdfFormat.RDF_XML:
        check_rdf_xml(data)


# JSON strings, escapes included; the unrolled form keeps the regex engine linear.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_ALL_BUT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN_2_CLOSE_0 = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def check_json_nesting(data: bytes, what: str = "JSON") -> None:
    """Refuse JSON nested deeper than MAX_NESTING. Not recursive (Python's json is, and
    Oxigraph's JSON-LD expansion is too): strings are blanked out, the brackets left are
    mapped to +1/-1 and summed, all in C."""
    if data.count(b"{") + data.count(b"[") <= MAX_NESTING:
        return
    steps = _JSON_STRING.sub(b"", data).translate(_OPEN_2_CLOSE_0, _ALL_BUT_BRACKETS)
    if max(accumulate(map(sub, steps, repeat(1))), default=0) <= MAX_NESTING:
        return
    # `what` is a format's name, the same in each language (spaced from the Chinese after it)
    named = {"en": what, "zh": what + " "}
    depth = 0  # slow path, only to say where
    for m in _JSON_TOKEN.finditer(data):
        token = m.group()
        if token in (b"{", b"["):
            depth += 1
            if depth > MAX_NESTING:
                raise _too_deep(named, *_position(data, m.start()))
        elif token in (b"}", b"]"):
            depth -= 1
    raise _too_deep(named)


# RDF/XML entity declarations as Oxigraph's RDF/XML parser reads them: `<!ENTITY name
# "value">`, an optional `%` ignored, each value expanded once, when it is declared,
# with the entities declared before it; a later declaration of a name replaces it.
_ENTITY_DECLARATION_START = re.compile(rb"<!ENTITY")
_ENTITY_DECLARATION = re.compile(rb'<!ENTITY\s*%?\s*([^\s"\'<>&;%]+)\s+"([^"]*)"\s*>')
_ENTITY_REFERENCE = re.compile(rb"&([^\s&;%\"'<>]+);")


def check_rdf_xml(data: bytes) -> None:
    """Bound what RDF/XML entities expand to, then check the XML is well formed and not
    nested deeper than MAX_NESTING elements. Simple entities, as OWL files declare for
    namespaces (`<!ENTITY owl "http://www.w3.org/2002/07/owl#">`), are fine."""
    if b"<!ENTITY" in data:
        _check_entities(data)
    _check_xml_nesting(data)


def _check_entities(data: bytes) -> None:
    sizes: dict[bytes, int] = {}     # expanded size of each entity (largest if redeclared)
    levels: dict[bytes, int] = {}    # 1: plain text; n: uses entities of level n - 1
    for start in _ENTITY_DECLARATION_START.finditer(data):
        line, column = _position(data, start.start())
        at = _where(line, column)
        decl = _ENTITY_DECLARATION.match(data, start.start())
        if decl is None:
            raise InputRefused(compose(both('unsupported entity declaration%(where)s: write it as '
                                            '<!ENTITY name "value">'), where=at), line, column)
        name, value = decl.groups()
        size, level = len(value), 1
        for ref in _ENTITY_REFERENCE.finditer(value):
            if ref.group(1) in sizes:
                size += sizes[ref.group(1)] - len(ref.group())
                level = max(level, levels[ref.group(1)] + 1)
        if level > MAX_ENTITY_NESTING:
            raise InputRefused(compose(
                both("entity %(name)s%(where)s is defined with entities nested %(level)s deep; "
                     "at most %(max)s levels are accepted (entity expansion attack?)"),
                name=repr(name.decode(errors="replace")), where=at, level=level, max=MAX_ENTITY_NESTING),
                line, column)
        if size > MAX_ENTITY_BYTES:
            raise InputRefused(compose(
                both("entity %(name)s%(where)s expands to %(size)s bytes; at most "
                     "%(max)s are accepted (entity expansion attack?)"),
                name=repr(name.decode(errors="replace")), where=at, size=f"{size:,}", max=f"{MAX_ENTITY_BYTES:,}"),
                line, column)
        sizes[name] = max(size, sizes.get(name, 0))
        levels[name] = max(level, levels.get(name, 0))
    expanded = len(data) + sum(data.count(b"&" + name + b";") * (size - len(name) - 2)
                               for name, size in sizes.items())
    allowed = max(MIN_ENTITY_ALLOWANCE, MAX_ENTITY_GROWTH * len(data))
    if expanded > allowed:
        raise InputRefused(both(
            "entity references expand the document from %(size)s to %(expanded)s bytes; at most "
            "%(max)s are accepted (entity expansion attack?)",
            size=f"{len(data):,}", expanded=f"{expanded:,}", max=f"{allowed:,}"))


class _TooDeep(Exception):
    pass


def _check_xml_nesting(data: bytes) -> None:
    """expat reads the document (well-formed XML is unambiguous, so its element depth is
    the depth Oxigraph would see) and counts open elements."""
    parser = xml.parsers.expat.ParserCreate()
    parser.ordered_attributes = True
    depth = 0

    def start(_name, _attributes):
        nonlocal depth
        depth += 1
        if depth > MAX_NESTING:
            raise _TooDeep

    def end(_name):
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(data, True)
    except _TooDeep:
        raise _too_deep(both("XML elements"), parser.CurrentLineNumber, parser.CurrentColumnNumber + 1) from None
    except xml.parsers.expat.ExpatError as err:
        reason = xml.parsers.expat.ErrorString(err.code)
        raise InputRefused(compose(both("not well-formed XML%(where)s: %(reason)s"),
                                   where=_where(err.lineno, err.offset + 1), reason=reason),
                           err.lineno, err.offset + 1) from None


# ----------------------------------------------------------------------------- SPARQL

_SPARQL_TOKEN = re.compile(r"""
  (?P<comment>\#[^\r\n]*)
| (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
             |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
| (?P<iri><[^<>"{}|^`\x00-\x20]*>)
| (?P<open><<(?![^<>"{}|^`\x00-\x20]*>)|[{(\[])
| (?P<close>>>|[})\]])
| (?P<var>[?$][\w\u00B7\u00C0-\U0010FFFF]+)
| (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
| (?P<name>(?:[A-Za-z_:@\u00C0-\U0010FFFF]|\\.)
           (?:[\w\-:%\u00B7\u00C0-\U0010FFFF]|\\.|\.(?=[\w\-:%\u00B7\u00C0-\U0010FFFF\\]))*)
| (?P<sep>[.,;])
| (?P<op>\|\||&&|!=|<=|>=|\^\^|[!=<>+\-*/|^?])
| (?P<other>\S)
""", re.VERBOSE | re.DOTALL)
# In data blocks: a run of spaces, escapes, IRIs and words with nothing that opens,
# closes or hides a bracket (`<<`, `>>` included) is one match; the rest as in _SPARQL_TOKEN.
_DATA_TOKEN = re.compile(r"""
  (?P<run>(?:[^<>"'\#{}()\[\]\\]++|\\.|<[^<>"{}|^`\x00-\x20()\[\]\#']*+>)++)
| (?P<comment>\#[^\r\n]*)
| (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
             |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
| (?P<iri><[^<>"{}|^`\x00-\x20]*>)
| (?P<open><<(?![^<>"{}|^`\x00-\x20]*>)|[{(\[])
| (?P<close>>>|[})\]])
| (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_PAIRS = {"}": "{", ")": "(", "]": "[", ">>": "<<"}   # << >>: RDF 1.2 reified triples
# Keywords each adding a node to the algebra: in a row, they make it deep.
_CHAIN_KEYWORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "SERVICE", "GRAPH", "VALUES", "EXISTS", "AS"}
_FLAT_NEXT = {"DATA", "CONSTRUCT", "INSERT", "DELETE"}   # `{` right after: triples, no algebra
_EXPRESSION_AFTER = {"FILTER", "BIND", "HAVING", "BY", "ASC", "DESC", "IN", "ORDER", "GROUP"}


def check_sparql(text: str) -> None:
    """Refuse a SPARQL query or update nested deeper than MAX_NESTING brackets, or chaining
    more than MAX_SPARQL_CHAIN patterns/operators along one path of its syntax tree (a group
    of 10,000 triple patterns, UNIONs or BINDs overflows Oxigraph's stack too). Data blocks
    (INSERT DATA, DELETE DATA, VALUES, CONSTRUCT and INSERT/DELETE templates) are flat in
    Oxigraph and only count for nesting."""
    if text is not None and not _within_bounds_anyway(text):
        _SparqlScan(text).run()


_WORD_RUN = re.compile(r"\w+")
_PUNCTUATION = re.compile(r"[^\w\s]")
_DIGIT_THEN_LETTER = re.compile(r"[0-9](?=[^\W0-9])")


def _within_bounds_anyway(text: str) -> bool:
    """A cheap upper bound, in C, that settles most queries without the scan: nesting is at
    most the number of opening brackets anywhere, and every counted element is a token,
    which starts a run of word characters, is or starts with a punctuation character, or
    is a name glued to a number before it (`1AS`)."""
    if text.count("{") + text.count("(") + text.count("[") > MAX_NESTING:
        return False
    if len(text) <= MAX_SPARQL_CHAIN:
        return True
    if len(text) > 16 * MAX_SPARQL_CHAIN:
        return False   # a text this long almost always has more tokens: go straight to the scan
    tokens = sum(pattern.subn("", text)[1] for pattern in (_WORD_RUN, _PUNCTUATION, _DIGIT_THEN_LETTER))
    return tokens <= MAX_SPARQL_CHAIN


class _SparqlScan:
    """One pass over the tokens. Strings, comments and IRIs are skipped like Oxigraph's lexer
    does; where `<` could be an IRI or a less-than (`?a<…>`, inside parentheses) the text
    between `<` and `>` is counted as code as well, and closers there never close what was
    open before it, so that the count never falls below the depth Oxigraph sees."""

    def __init__(self, text: str):
        self.text = text
        self.kinds: list[str] = []        # open brackets
        self.expr: list[bool] = []        # ... whether each holds an expression
        self.flat: list[bool] = []        # ... whether each is a data block
        self.extra: list[bool] = []       # ... opened between an ambiguous `<` and `>`
        self.chain = [0]                  # chained elements per level (0: outside brackets)
        self.path = 0                     # sum(self.chain)
        self.prev_operand = False         # the last token could end an operand
        self.prev_words: tuple[str, str] = ("", "")
        self.pending_flat: str | None = None   # "next": a `{` right now is data; "values"
        self.clause: str | None = None    # "select" / "modifiers": `(` holds an expression
        self.desynced = False             # a closer was ignored: trust the kinds less

    # -- helpers
    def _refuse_depth(self, offset: int) -> None:
        raise _too_deep(both("SPARQL brackets"), *_position(self.text, offset))

    def _count(self, offset: int, n: int = 1) -> None:
        if self.flat and self.flat[-1]:
            return
        self.chain[-1] += n
        self.path += n
        if self.path > MAX_SPARQL_CHAIN:
            line, column = _position(self.text, offset)
            raise InputRefused(compose(
                both("the SPARQL text chains more than %(max)s patterns or operators along one path%(where)s; "
                     "refused to protect the service: split it, or use VALUES for long lists"),
                max=MAX_SPARQL_CHAIN, where=_where(line, column)), line, column)

    def _in_expression(self) -> bool:
        return bool(self.expr) and self.expr[-1]

    def _push(self, kind: str, offset: int, extra: bool = False) -> None:
        parent_flat = bool(self.flat) and self.flat[-1]
        if self.kinds or kind != "{":
            self._count(offset)   # a bracket is one more element of its parent (not: a WHERE
                                  # clause or the operations of an update, flat at the top)
        flat = parent_flat or (kind == "{" and self.pending_flat is not None)
        if kind == "(":
            # FILTER(…), BIND(…), IN (…), FILTER regex(…), FILTER <f>(…), projections, GROUP/ORDER BY
            expr = not flat and (self._in_expression() or self.clause is not None
                                 or self.prev_words[0] in _EXPRESSION_AFTER or self.prev_words[1] in _EXPRESSION_AFTER)
        else:
            expr = False
        self.kinds.append(kind)
        self.expr.append(expr)
        self.flat.append(flat)
        self.extra.append(extra)
        self.chain.append(0)
        if len(self.kinds) > MAX_NESTING:
            self._refuse_depth(offset)
        if kind == "{":
            self.pending_flat = None
            self.clause = None

    def _pop(self, kind: str, floor: int) -> None:
        if len(self.kinds) <= floor or self.kinds[-1] != _PAIRS[kind]:
            self.desynced = True      # not ours to close: keep counting it as open
            return
        if self.extra[-1]:
            self.desynced = True
        if kind == "}":
            self.clause = None
        self.kinds.pop()
        self.expr.pop()
        self.flat.pop()
        self.extra.pop()
        self.path -= self.chain.pop()

    # -- the scan
    def run(self) -> None:
        pos = 0
        while pos is not None:
            pos = self._scan_from(pos)

    def _scan_from(self, pos: int) -> int | None:
        """Scan code from `pos`; at the start of a data block, return where it ends."""
        for m in _SPARQL_TOKEN.finditer(self.text, pos):
            kind = m.lastgroup
            if kind == "comment":
                continue
            if kind == "iri":
                self._iri(m)
                continue
            self._token(kind, m.group(), m.start(), floor=0)
            if self.flat and self.flat[-1]:
                return self._data_block(m.end())
        return None

    def _data_block(self, pos: int) -> int:
        """Inside INSERT DATA, VALUES, templates …: only nesting counts. These blocks are
        what makes an update large, so runs of plain tokens are skipped in one match."""
        base, inner = len(self.kinds), []
        for m in _DATA_TOKEN.finditer(self.text, pos):
            kind = m.lastgroup
            if kind == "open":
                inner.append(m.group())
                if base + len(inner) > MAX_NESTING:
                    self._refuse_depth(m.start())
            elif kind == "close":
                if not inner:
                    self._pop(m.group(), 0)    # the end of the block
                    self.prev_operand, self.prev_words = True, ("", "")
                    return m.end()
                if inner[-1] == _PAIRS[m.group()]:
                    inner.pop()
                else:
                    self.desynced = True       # mismatched: Oxigraph stops here anyway
        return len(self.text)

    def _iri(self, m: re.Match) -> None:
        """`<…>`: an IRI, unless it follows an operand inside parentheses, where Oxigraph may
        read `<` as less-than and the rest as code."""
        in_flat = bool(self.flat) and self.flat[-1]
        ambiguous = (not in_flat and self.prev_operand and bool(self.kinds)
                     and (self.desynced or self.kinds[-1] == "(" or self.extra[-1]))
        if ambiguous:
            inner = m.group()[1:-1]
            if "#" in inner or "'" in inner:
                line, column = _position(self.text, m.start())
                raise InputRefused(compose(
                    both("ambiguous '<'%(where)s: Oxigraph may read %(text)s as less-than followed by code; "
                         "write '< ' with a space for less-than, or a prefixed name for the IRI"),
                    where=_where(line, column), text=repr(m.group())), line, column)
            floor, state = len(self.kinds), (self.pending_flat, self.clause)
            for t in _SPARQL_TOKEN.finditer(inner):
                if t.lastgroup != "comment":
                    self._token(t.lastgroup, t.group(), m.start() + 1 + t.start(), floor=floor, extra=True)
            self.pending_flat, self.clause = state   # `<VALUES>` is no keyword in the IRI reading
        elif self.kinds and self.kinds[-1] == "(" and not self.expr[-1]:
            self._count(m.start())    # an item of a collection or a path: it becomes a pattern
        self.prev_operand = True
        self.prev_words = ("", self.prev_words[0])

    def _token(self, kind: str, value: str, offset: int, *, floor: int, extra: bool = False) -> None:
        word = ""
        if kind == "open":
            self._push(value, offset, extra)
            self.prev_operand = False
        elif kind == "close":
            self._pop(value, floor)
            self.prev_operand = True
        elif kind == "sep":
            if self.kinds and self.kinds[-1] in "{[":
                self._count(offset)
            self.prev_operand = False
        elif kind == "op":
            if value != "^^":
                self._count(offset)
            self.prev_operand = False
        elif kind == "name":
            word = value.upper()
            self._name(word, offset)
        else:   # var, number, string, other
            is_operand = kind != "other" and not (kind == "var" and len(value) == 1)
            if is_operand and self.kinds and self.kinds[-1] == "(" and not self.expr[-1]:
                self._count(offset)   # an item of a collection or a path: it becomes a pattern
            self.prev_operand = is_operand
        self.prev_words = (word, self.prev_words[0])

    def _name(self, word: str, offset: int) -> None:
        if word in _CHAIN_KEYWORDS:
            self._count(offset)
        if self.kinds and self.kinds[-1] == "(" and not self.expr[-1] and ":" in word:
            self._count(offset)
        # where a `{` opens a data block, and where `(` holds an expression
        if word == "VALUES":
            self.pending_flat = "values"
        elif word in _FLAT_NEXT:
            self.pending_flat = "next"
        elif self.pending_flat == "next":
            self.pending_flat = None
        if word == "SELECT":
            self.clause = "select"
        elif word in ("GROUP", "ORDER", "HAVING"):
            self.clause = "modifiers"
        elif word in ("WHERE", "LIMIT", "OFFSET"):
            self.clause = None
        self.prev_operand = ":" in word or word in ("TRUE", "FALSE") or word.startswith("@")


# ----------------------------------------------------------------------------- HTTP bodies

class BodyTooLarge(Exception):
    """A request body over the limit."""


def read_request_body(environ: dict, limit: int) -> bytes:
    """The body of a WSGI request, whatever its framing (Content-Length or chunked), or
    BodyTooLarge. Past the limit up to `limit` more bytes are read and dropped, so that a
    client that sends its whole body before reading the answer sees the 413."""
    stream = environ["wsgi.input"]
    declared = None if _is_chunked(environ) else int(environ.get("CONTENT_LENGTH") or 0)
    if declared is not None and declared > limit:
        if declared <= 2 * limit:
            _drain(stream, declared)
        raise BodyTooLarge(f"request body larger than {limit} bytes")
    body = bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(1 << 16, limit + 1 - len(body)))
        if not chunk:
            return bytes(body)
        body += chunk
    _drain(stream, limit)
    raise BodyTooLarge(f"request body larger than {limit} bytes")


def _is_chunked(environ: dict) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _drain(stream, size: int) -> None:
    """Read and drop up to `size` bytes (fewer if the body ends first)."""
    while size > 0:
        chunk = stream.read(min(1 << 16, size))
        if not chunk:
            return
        size -= len(chunk)


class BodyLimit:
    """WSGI middleware: every request body is read here, in full, and refused with 413 if
    it is over `limit`; the application then sees an ordinary Content-Length body. This is
    the one place bodies are bounded: werkzeug's own limit truncates a chunked body at the
    limit without an error (werkzeug 3.1, LimitedStream.readall)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        declared = environ.get("CONTENT_LENGTH") or None
        if declared is not None and not _is_chunked(environ):
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                return _answer(start_response, "400 Bad Request", environ,
                               both("Content-Length is not a number: %(value)s", value=repr(declared)))
            if not too_large:
                return self.app(environ, start_response)   # the server stops reading at Content-Length
        elif not _is_chunked(environ):
            return self.app(environ, start_response)       # no body
        try:
            body = read_request_body(environ, self.limit)
        except BodyTooLarge:
            return _answer(start_response, "413 Content Too Large", environ,
                           both("request body larger than the limit of %(bytes)s bytes (rightsgraph serve --max-body)",
                                bytes=f"{self.limit:,}"))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


# Set in the WSGI environ by a server that hands the app only whole requests (serving/http_server.py).
WHOLE_REQUEST_READ = "rightsgraph.whole_request_read"


def answer_language(accept_language: str | None) -> str:
    """en or zh, from a raw Accept-Language header: for answers given before Flask has a
    request (here, and the server's own refusals in serving/http_server.py)."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header
    return parse_accept_header(accept_language, LanguageAccept).best_match(["en", "zh"]) or "en"


def _answer(start_response, status: str, environ: dict, messages: dict[str, str]):
    body = (in_lang(messages, answer_language(environ.get("HTTP_ACCEPT_LANGUAGE"))) + "\n").encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    if not environ.get(WHOLE_REQUEST_READ):
        # what is left of the body would be read as the next request: close instead. Under
        # `rightsgraph serve` the server has read the whole request already (serving/http_server.py),
        # and it may not be told to close (PEP 3333: Connection is the server's header).
        headers.append(("Connection", "close"))
    start_response(status, headers)
    return [body]
