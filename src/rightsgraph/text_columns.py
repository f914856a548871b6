"""Columns of plain text that line up in a terminal when cells hold Chinese.

A CJK character takes two terminal columns, so `str.ljust` (which counts characters)
leaves every row with a Chinese title short of its column. The display width comes from
`wcwidth` (the library terminals' own width tables follow), not a hand-kept range list.
"""

from __future__ import annotations

from wcwidth import wcswidth


def width(text: str) -> int:
    """Terminal columns `text` takes (a control character counts as one)."""
    w = wcswidth(text)
    return len(text) if w < 0 else w


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


def clip(text: str, columns: int) -> str:
    """`text` cut to at most `columns` terminal columns (never half a wide character)."""
    if width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = max(0, wcswidth(ch))
        if used + w > columns:
            break
        out.append(ch)
        used += w
    return "".join(out)


__all__ = ["width", "ljust", "rjust", "clip"]
