"""The charts' own small font: the glyphs of the charts' fixed words, cut from Noto Sans CJK SC.

Why: vl-convert measures every label's text with the first font of the chart's font list that
has the glyphs. Noto Sans CJK is a 19 MB collection, and measuring with it made a 12-month
trend chart take about 1 s to render (0.2 s with ASCII labels); a 70 KB cut holding only the
words the charts use brings it back to about 0.2-0.3 s (benchmarks/bench_usage.py). The
cut is listed first as "RG Chart" for the renderer; the SVG keeps the whole list, so a browser
(which does not have "RG Chart") draws with Noto Sans CJK SC or the next font it has. Text the
cut lacks (a Chinese resource title) falls back to the next font: correct, only slower.

The font ships with the package (reports/fonts/rg-chart.otf, SIL Open Font License 1.1, as
Noto's; reports/fonts/OFL.txt) so charts draw Chinese on a machine without CJK fonts too.
After a chart word changes in the catalogue, rebuild it (needs fontTools and fonts-noto-cjk);
tests/test_chart_font.py fails while a chart word has a character the font lacks:

    python -m rightsgraph.reports.chart_font [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

FAMILY = "RG Chart"
FOLDER = Path(__file__).resolve().parent / "fonts"
FILE = FOLDER / "rg-chart.otf"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FAMILY = "Noto Sans CJK SC"
#: what every chart may print besides its words: ASCII, and the punctuation of both languages
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！“”‘’（）《》【】—…·×÷–"

_registered = False
_lock = threading.Lock()


def register() -> None:
    """Make the renderer know the font (once per process; a missing file is not an error:
    the charts then measure with the next font of their list)."""
    global _registered
    if _registered:
        return
    with _lock:
        if not _registered and FILE.is_file():
            import vl_convert as vlc
            vlc.register_font_directory(str(FOLDER))
        _registered = True


def chart_words() -> str:
    """Every character the charts print from their own words: the Chinese of each word
    reports/charts.py marks (`_w("...")`, `_("...")`), and the Chinese names of the asset
    classes (the assets chart)."""
    from ..package_data import ontology_files
    from ..translation import gettext
    source = (Path(__file__).resolve().parent / "charts.py").read_text("utf-8")
    words = [gettext(m, "zh") for m in re.findall(r'(?<!ChartError\()\b_w?\("([^"]+)"\)', source)]
    import pyoxigraph as ox
    scheme = ox.NamedNode("https://w3id.org/rightsgraph/ns#AssetClassScheme")
    for path in ontology_files():
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        classes = {t.subject for t in triples if t.object == scheme}
        words += [t.object.value for t in triples if t.subject in classes and isinstance(t.object, ox.Literal)
                  and (t.object.language or "").startswith("zh")
                  and t.predicate.value.endswith(("prefLabel", "#label"))]
    return "".join(words)


def characters() -> set[str]:
    return set(ALWAYS) | set(chart_words())


def build(source: Path = SOURCE, out: Path = FILE) -> int:
    """Cut the font from the Noto Sans CJK SC face of `source`; returns the file's size."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection
    faces = TTCollection(str(source)).fonts
    font = next(f for f in faces if f["name"].getDebugName(1) == SOURCE_FAMILY)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = ["*"]
    cutter = subset.Subsetter(options)
    cutter.populate(text="".join(sorted(characters())))
    cutter.subset(font)
    # a modified version carries its own name (OFL 1.1, condition 3)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    size = build(Path(args[0]) if args else SOURCE)
    print(f"{FILE}: {size:,} bytes, {len(characters())} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
