"""The demo library's preserved content: a small content store in two storage locations
and a short tour through an audit, a corruption it detects and the repair.

`rightsgraph demo` (src/rightsgraph/demo.py) calls `set_up` once, on a store that has no
storage location yet; the files are generated here (nothing binary is shipped) under
`<data dir>/demo-content/`:

    primary/journals/ajee-2025/            BagIt bag (bagit; SHA-256 and SHA-512 manifests):
                                           two issues of res:0002, licence L01 (archiving permitted)
    primary/ebooks/handbook-of-geology/    OCFL object (ocfl-py): res:0322, licence L02
    primary/digitised/jhu-journal-1956-1/  folder of page scans and OCR text: res:0991, digitised
                                           by Library A (rights statement: replication allowed)
    replica-1/...                          the replicas, made by `preserve replicate`

Formats are identified with the magic-number table (FIDO would add a second to start).
"""

from __future__ import annotations

import logging
import struct
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path

DEMO = "https://demo.rightsgraph.org/"
LIBRARY = DEMO + "party/lib-a"
AGENT = "rightsgraph-demo"
CORRUPTED = "digitised/jhu-journal-1956-1/page-002.tif"


def set_up(store, root: Path, *, say=print) -> dict | None:
    """Generate, register and replicate the demo content, corrupt one byte of a replica,
    audit (which finds it), repair and audit once more, telling each step with `say`. Returns
    the figures, or None when the store already has storage locations (done before, or
    the user's own)."""
    from .audit import audit
    from .locations import add_location, locations
    from .registry import register
    from .repair import repair, replicate
    if locations(store):
        return None
    primary, replica = root / "primary", root / "replica-1"
    primary.mkdir(parents=True, exist_ok=True)
    replica.mkdir(parents=True, exist_ok=True)
    add_location(store, "primary", primary, "primary", agent=AGENT)
    add_location(store, "replica-1", replica, "replica", agent=AGENT)
    objects = build_content(primary)
    files = 0
    for path, resource in objects:
        files += register(store, path, resource=resource, identify="magic", agent=AGENT).files
    replicated = replicate(store, "replica-1", library=LIBRARY, agent=AGENT)
    say(f"demo content: {len(objects)} objects (a BagIt bag, an OCFL object, a folder of scans), {files} files, "
        f"each in primary and replica-1 under {root}")
    damaged = replica / CORRUPTED
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x20
    damaged.write_bytes(bytes(data))
    say(f"  one byte changed in {damaged}")
    second = audit(store, agent=AGENT)
    for f in second.findings:
        say(f"  audit: {f.kind}: {f.path} (`rightsgraph preserve audit` exits 1)")
    fixed = repair(store, library=LIBRARY, agent=AGENT)
    for o in fixed.done:
        say(f"  repair: {o.path} restored {o.detail}, verified")
    third = audit(store, agent=AGENT)
    say(f"  audit: {third.checked} copies checked, {third.intact} intact "
        f"(`rightsgraph report preservation --library {LIBRARY}`)")
    return {"objects": len(objects), "files": files, "replicated": len(replicated.done),
            "findings": [f.kind for f in second.findings], "repaired": len(fixed.done),
            "intact_after": third.intact, "copies": third.checked}


def build_content(primary: Path) -> list[tuple[Path, str]]:
    """Write the three demo objects into `primary`; returns (path, resource) of each."""
    with _quiet_libraries():
        return _build(primary)


@contextmanager
def _quiet_libraries():
    """bagit and ocfl-py tell every step at INFO; the demo tells its own story."""
    root, bag_log = logging.getLogger(), logging.getLogger("bagit")
    levels = (root.level, bag_log.level)
    root.setLevel(max(root.level, logging.WARNING))
    bag_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(levels[0])
        bag_log.setLevel(levels[1])


def _build(primary: Path) -> list[tuple[Path, str]]:
    import bagit
    import ocfl
    journals = primary / "journals" / "ajee-2025"
    journals.mkdir(parents=True)
    for n in (1, 2):
        (journals / f"issue-{n:02d}.pdf").write_bytes(
            pdf(f"Asian Journal of Electronic Engineering 2025, no. {n}"))
    bagit.make_bag(str(journals), bag_info={"Source-Organization": "Jinghai University Library",
                                            "External-Description": "Asian Journal of Electronic Engineering 2025"},
                   checksums=["sha256", "sha512"])
    book = primary / "ebooks" / "handbook-of-geology"
    book.parent.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        (src / "handbook-of-geology.pdf").write_bytes(pdf("Handbook of Geology"))
        (src / "cover.tif").write_bytes(tiff(seed=7))
        ocfl.Object(identifier=DEMO + "resource/0322").create(
            srcdir=str(src), objdir=str(book),
            metadata=ocfl.VersionMetadata(message="purchased file as delivered", name="Jinghai University Library",
                                          address="mailto:preservation@lib-a.example"))
    scans = primary / "digitised" / "jhu-journal-1956-1"
    scans.mkdir(parents=True)
    for page in (1, 2, 3):
        (scans / f"page-{page:03d}.tif").write_bytes(tiff(seed=page))
    (scans / "ocr.txt").write_text("京海大学学报 1956年第1期\nJournal of Jinghai University, 1956 no. 1\n",
                                   encoding="utf-8")
    return [(journals, DEMO + "resource/0002"), (book, DEMO + "resource/0322"), (scans, DEMO + "resource/0991")]


def pdf(title: str) -> bytes:
    """A one-page PDF 1.4 showing `title` (ASCII), with a correct cross-reference table."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def tiff(seed: int, width: int = 64, height: int = 64) -> bytes:
    """A baseline 8-bit greyscale TIFF (little-endian, one strip): a 'scanned page'."""
    pixels = bytes((x * 3 + y * 5 + seed * 17 + (zlib.crc32(bytes([x, y, seed])) & 0x0F)) & 0xFF
                   for y in range(height) for x in range(width))
    entries = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, height), (279, 4, 1, len(pixels))]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(entries) + 4
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = data_offset
        ifd += struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value))
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + pixels
