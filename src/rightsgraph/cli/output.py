"""Where a command's result goes: the --output file (said on stderr) or standard output."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..translation import _
from . import errors


def write_output(data: bytes, output: Path | None) -> None:
    """Write to the --output file (and say so on stderr), or to standard output."""
    if output:
        write_file(output, data)
        click.echo(_("wrote %(path)s", path=output), err=True)
    else:
        sys.stdout.buffer.write(data)


def write_file(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise errors.cannot_write(path, exc) from None
