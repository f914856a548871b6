"""User-facing preservation messages in English and Chinese.

Errors carry a message key and its parameters, and are rendered in the caller's language
(`PreservationError.text(lang)`): the library never has to know who is reading. The texts
are msgids of the gettext catalogues (translation.py), with {name} placeholders.
"""

from __future__ import annotations

from ..translation import gettext


def _(message: str) -> str:  # marks a msgid for extraction; translated when shown (msg)
    return message


MESSAGES = {
    "bad_iri": _("{param} {value!r}: not an absolute IRI"),
    "no_location": _("{path}: not inside any storage location; add one first: rightsgraph preserve location add NAME DIR"),
    "unknown_location": _("no storage location named {name!r} (known: {known})"),
    "location_exists": _("a storage location named {name!r} already exists (root {root})"),
    "location_root": _("{root}: the root of a storage location must be an existing folder"),
    "outside_location": _("{path}: not inside storage location {name!r} ({root})"),
    "already_registered": _("{path}: already registered as <{object}>"),
    "no_resource": _("--resource <{resource}>: not a resource in the store (rg:Resource)"),
    "resource_needed": _("--resource IRI is needed: content is preserved for a resource (only --kind store-backup has none)"),
    "package": "{detail}",   # a library's own words (bagit, ocfl-py): shown as they are
    "changed_while_reading": _("{path}: its {algorithm} digest differs from the package manifest ({expected} expected, {found} read); nothing was registered"),
    "unreadable_file": _("{path}: cannot be read ({error}); nothing was registered"),
    "file_name": _("{path}: the file name is not valid UTF-8, so it cannot be recorded; rename it, then register again"),
    "unknown_object": _("<{object}>: no preserved object with this IRI or for this resource"),
    "ambiguous_object": _("<{object}>: {count} preserved objects belong to this resource; name one: {objects}"),
    "acq_duplicate": _("{acquisition}: a {stage} stage dated {date} is already recorded"),
    "refused": _("refused: {action} of <{resource}> to {location} is not permitted ({reason}){clauses}"),
    "no_good_source": _("{path}: no intact copy to repair it from (checked: {checked}); nothing was overwritten"),
    "copy_not_verified": _("{path}: the copy written does not match the registered digest; removed, nothing was overwritten"),
    "same_location": _("the replica location must differ from the copies' own location ({name})"),
    "target_exists": _("{path}: already exists; nothing is written over it"),
    "no_intact_object": _("<{object}>: no location holds a copy whose every file verifies now ({checked}); nothing was done"),
    "command_failed": _("the conversion command failed ({detail}): {command}; nothing was registered"),
    "action_replicate": _("replication"),
    "action_repair": _("repair"),
    "action_migrate": _("format migration"),
    "action_transfer": _("transfer"),
    "acq_stage": _("stage {stage!r}: not an acquisition stage (one of {known})"),
    "acq_decision": _("--decision {decision!r}: one of {known}"),
    "acq_notice": _("--notice-days {value}: must be zero or more days"),
    "acq_date": _("--{param} {value!r}: not a date (YYYY-MM-DD) or date-time (ISO 8601)"),
    "acq_ended": _("--ended {ended} is before the stage's date {started}"),
    "acq_licence": _("--licence <{licence}>: not a licence in the store (rg:Licence)"),
    "acq_package": _("--package <{package}>: not a package or collection in the store"),
    "acq_unknown": _("{acquisition}: no acquisition recorded under this identifier; record its first stage with `rightsgraph acquisition record`"),
    "doc_type": _("--type {doc_type!r}: one of {known}"),
    "doc_of": _("--to {of}: not a licence (rg:Licence) or an acquisition in the store"),
    "no_primary": _("no primary storage location to keep the document in; add one (rightsgraph preserve location add NAME DIR --role primary) or give --location"),
    "library_needed": _("--library IRI is needed: rights are checked for the library that acts (or set RIGHTSGRAPH_LIBRARY)"),
}


class PreservationError(Exception):
    """A preservation command cannot do what was asked; nothing was stored or overwritten."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        return msg(self.key, lang, **self.params)


def msg(key: str, lang: str = "en", **params) -> str:
    return gettext(MESSAGES[key], lang if lang in ("en", "zh") else "en").format(**params)
