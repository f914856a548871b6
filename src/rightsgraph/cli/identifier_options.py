"""The options that name a resource by identifier (`check`, `entitlement`), and identifier
files (`--file`): one identifier a line, checked as a whole before anything is asked."""

from __future__ import annotations

from pathlib import Path

import click

from ..translation import LANGUAGES, both

from ..identifiers import IdentifierError, parse_tagged
from . import errors

# option -> request parameter (the same names as the HTTP query parameters)
IDENTIFIER_OPTIONS = (("--doi", "doi"), ("--issn", "issn"), ("--isbn", "isbn"), ("--title-id", "title_id"),
                      ("--url", "url"))
HOLDINGS_OPTIONS = ("date", "volume", "issue")


def identifier_options(f):
    """--doi/--issn/--isbn/--title-id/--url, --file, --date, --volume, --issue."""
    opts = [click.option("--doi", default=None, help="DOI (10.NNNN/..., doi: or https://doi.org/ accepted)."),
            click.option("--issn", default=None, help="ISSN, print or online (NNNN-NNNC; the check digit is checked)."),
            click.option("--isbn", default=None, help="ISBN-10 or ISBN-13 (hyphens allowed; ISBN-10 is read as its ISBN-13)."),
            click.option("--title-id", "title_id", default=None, help="KBART title_id (the provider's own key)."),
            click.option("--url", default=None, help="Title URL (KBART title_url)."),
            click.option("--file", "id_file", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                         help="File of identifiers, one a line (issn:1545-4282, doi:10.1146/..., a bare DOI, "
                              "URL, ISSN or ISBN; # comments and blank lines skipped)."),
            click.option("--date", default=None, help="Publication date of the content (YYYY, YYYY-MM or YYYY-MM-DD)."),
            click.option("--volume", default=None, help="Volume of the content."),
            click.option("--issue", default=None, help="Issue of the content.")]
    for opt in reversed(opts):
        f = opt(f)
    return f


def given_identifiers(values: dict) -> dict:
    """The identifier options given on the command line, as request parameters."""
    return {param: values[param] for _, param in IDENTIFIER_OPTIONS if values.get(param) is not None}


def usage_error(exc: IdentifierError) -> errors.CliError:
    return errors.CliError({lang: exc.text(lang) for lang in LANGUAGES}, errors.EXIT_USAGE)


def one_of(target, identifiers: dict, id_file, has_target: bool = True) -> None:
    """Exactly one way to name what is asked about: --target (`check`), an identifier or --file."""
    named = (["--target"] if target else []) + [f"--{p.replace('_', '-')}" for p in identifiers] + (
        ["--file"] if id_file else [])
    if len(named) == 1:
        return
    if not named and not has_target:
        raise errors.CliError(both("Missing option: give one of --doi, --issn, --isbn, --title-id, --url, --file"),
                              errors.EXIT_USAGE)
    if not named:
        raise errors.CliError(both("Missing option '--target' (or name the resource by --doi, --issn, --isbn, "
                                   "--title-id, --url, or --file)"), errors.EXIT_USAGE)
    raise errors.CliError(both("give only one of %(options)s (they are alternatives)", options=", ".join(named)),
                          errors.EXIT_USAGE)


def read_identifier_file(path: Path) -> list[str]:
    """The identifier lines of a file (each checked; the doors read them as `id`). Every malformed
    line is an error naming the file and line (exit 2); nothing is asked then."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise errors.not_utf8(path, exc) from None
    except OSError as exc:
        raise errors.cannot_read(path, exc) from None
    out, bad = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        v = line.strip()
        if not v or v.startswith("#"):
            continue
        try:
            parse_tagged(v, f"{path}:{n}")
            out.append(v)
        except IdentifierError as exc:
            bad.append(exc)
    if bad:
        more = len(bad) - 1
        also = both(" (and %(n)s more malformed line(s))", n=more) if more else dict.fromkeys(LANGUAGES, "")
        raise errors.CliError({lang: bad[0].text(lang) + also[lang] for lang in LANGUAGES}, errors.EXIT_USAGE)
    return out
