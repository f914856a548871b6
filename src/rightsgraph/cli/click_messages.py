"""click's own messages that the command line shows, as click writes them (its msgids), so
that `pybabel extract` puts them in our catalogue; localized.py makes click look them up
there. tests/test_cli_i18n.py checks each is still a msgid of the installed click."""

from __future__ import annotations


def _(message: str) -> str:  # a marker for the extractor: the text is translated where click shows it
    return message


def ngettext(singular: str, plural: str, n: int = 1) -> str:  # the same, for plural messages
    return singular if n == 1 else plural


MESSAGES = (
    # the help page
    _("Usage:"), _("Options"), _("Commands"), _("Positional arguments"),
    _("Show this message and exit."), _("Show the version and exit."),
    _("%(prog)s, version %(version)s"),
    _("default: {default}"), _("env var: {var}"), _("required"), _("deprecated"),
    _("Confirm the action without prompting."), _("Do you want to continue?"),
    # usage errors
    _("Error: {message}"), _('Try \'{command} {option}\' for help.'),
    _("Invalid value for {param_hint}: {message}"), _("Invalid value: {message}"),
    _("Missing argument"), _("Missing option"), _("Missing parameter"),
    _("Missing parameter: {param_name}"), _("Missing {param_type}"), _("Missing command."),
    _("No such command {name!r}."), _("No such option {name!r}."),
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    _("Option {name!r} does not take a value."), _("Argument {name!r} takes {nargs} values."),
    ngettext("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."),
    _("Aborted!"), _("Could not open file {filename!r}: {message}"),
    # values
    _("Choose from:\n\t{choices}"),
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    _("{value!r} is not a valid {number_type}."), _("{value} is not in the range {range}."),
    _("{value!r} is not a valid boolean. Recognized values: {states}"),
    _("{value!r} is not a valid UUID."),
    ngettext("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."),
    _("file"), _("directory"), _("path"),
    _("{name} {filename!r} does not exist."), _("{name} {filename!r} is a file."),
    _("{name} {filename!r} is a directory."), _("{name} {filename!r} is not readable."),
    _("{name} {filename!r} is not writable."), _("{name} {filename!r} is not executable."),
    # prompts
    _("Repeat for confirmation"), _("Error: The two entered values do not match."),
    _("Error: invalid input"),
)
