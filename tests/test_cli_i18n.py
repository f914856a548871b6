"""The command line in Chinese and English from the gettext catalogues (translation.py,
cli/localized.py): the catalogues are complete and compiled, `--help` and click's own words
follow --lang and LANG, and real runs answer in the language asked for."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rightsgraph.web.catalogues import compiled, extract, po_path

from .conftest import REPO, RIGHTSGRAPH, run_cli

LI_MING = "https://demo.rightsgraph.org/party/user-li-ming"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _catalogue(lang):
    with open(po_path(lang), "rb") as f:
        return read_po(f, locale=lang)


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


# ---------------------------------------------------------------------------- (a) the catalogues
def test_every_msgid_has_a_reviewed_chinese_translation():
    zh = _catalogue("zh")
    empty = [m.id for m in zh if m.id and not all(s and s.strip() for s in _strings(m))]
    fuzzy = [m.id for m in zh if m.id and m.fuzzy]
    assert not empty and not fuzzy, (empty, fuzzy)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_message_the_source_extracts_is_in_the_catalogue(lang):
    ids = {m.id for m in _catalogue(lang) if m.id}
    extracted = [m for m in extract() if m.id]
    cli_ids = [m.id for m in extracted if any("/cli/" in loc for loc, _ in m.locations)]
    assert len(cli_ids) > 250, "the command line's help texts and messages are extracted"
    missing = [m.id for m in extracted if m.id not in ids]
    assert not missing, f"run `python dev.py catalogues` and translate: {missing}"


def test_every_help_text_click_shows_is_a_msgid():
    """The extractor (cli/help_extraction.py) finds what click really shows: walk the live
    command tree and look each help text up."""
    import click

    from rightsgraph.cli import main
    from rightsgraph.cli.localized import help_msgid
    ids = {m.id for m in _catalogue("zh") if m.id}
    shown = []

    def walk(cmd):
        shown.append(help_msgid(cmd.help))
        shown.extend(p.help for p in cmd.params if getattr(p, "help", None))
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)
    walk(main)
    assert len(shown) > 200
    assert [t for t in shown if t and t not in ids] == []
    assert isinstance(main.commands["check"], click.Command)


def test_click_messages_we_translate_are_still_clicks():
    """cli/click_messages.py lists click's msgids as click writes them; a click upgrade that
    rewords one shows here instead of silently falling back to English."""
    import click

    from rightsgraph.cli.click_messages import MESSAGES
    theirs = set()
    for _, _, message, _, _ in extract_from_dir(os.path.dirname(click.__file__),
                                                keywords={"_": None, "ngettext": (1, 2)}):
        theirs.update(message if isinstance(message, tuple) else [message])
    assert len(MESSAGES) > 40
    # "required" reaches click's gettext as a variable (_(extra["required"])), not a literal
    assert set(MESSAGES) - theirs == {"required"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_committed_mo_files_are_the_compiled_po_files(lang):
    assert po_path(lang).with_suffix(".mo").read_bytes() == compiled(po_path(lang)), "run `python dev.py catalogues`"


def test_both_and_gettext():
    from rightsgraph.translation import both, gettext
    assert both("cannot read %(path)s: %(reason)s", path="a.ttl", reason="gone") == {
        "en": "cannot read a.ttl: gone", "zh": "无法读取 a.ttl：gone"}
    assert gettext("Usage:", "zh") == "用法:"
    assert gettext("no such msgid, kept as written", "zh") == "no such msgid, kept as written"


# ---------------------------------------------------------------------------- (b) --help
def _cli(*args, env=None):
    full = dict(os.environ, **(env or {}))
    full.pop("RIGHTSGRAPH_LANG", None)
    full.pop("LC_ALL", None)
    full.pop("LC_MESSAGES", None)
    return subprocess.run(RIGHTSGRAPH + list(args), capture_output=True, text=True, timeout=120, env=full)


def _english_help_sentences():
    from rightsgraph.cli import main
    from rightsgraph.cli.localized import help_msgid
    return [help_msgid(c.help).split(".")[0][:30] for c in main.commands.values()]


@pytest.mark.parametrize("how", ["--lang", "LANG"])
def test_top_help_in_chinese(how):
    out = _cli("--lang", "zh", "--help") if how == "--lang" else _cli("--help", env={"LANG": "zh_CN.UTF-8"})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for phrase in ("用法:", "选项：", "命令：", "显示本帮助并退出。", "显示版本并退出。",
                   "数字图书馆的权利元数据", "依据已存储的政策", "以条款表形式管理许可"):
        assert phrase in text, phrase
    for english in ["Usage:", "Options:", "Commands:", "Show this message"] + _english_help_sentences():
        assert english not in text, english
    from rightsgraph.text_columns import width
    for line in text.splitlines():   # wrapped by display width: no line wider than the terminal
        assert width(line) <= 80, line


def test_command_help_in_chinese_and_english():
    zh = _cli("--lang", "zh", "check", "--help").stdout
    assert "判定 ASSIGNEE 可否对 TARGET" in zh and "提出请求的当事方 IRI。" in zh and "[必填]" in zh
    assert "Party IRI asking" not in zh and "required" not in zh
    en = _cli("--lang", "en", "check", "--help", env={"LANG": "zh_CN.UTF-8"}).stdout
    assert "Party IRI asking." in en and "Usage: rightsgraph check" in en and "提出请求" not in en


# ---------------------------------------------------------------------------- (c) real runs
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from rightsgraph.store.embedded import EmbeddedStore

    from .conftest import load_demo_world
    base = tmp_path_factory.mktemp("i18n")
    load_demo_world(EmbeddedStore(base / "store")).close()
    return base


def _run(lang, *args, data_dir):
    return run_cli("--lang", lang, *args, data_dir=data_dir)


def test_a_usage_error_in_each_language(demo):
    zh = _run("zh", "check", "--target", "https://example.org/x", data_dir=demo)
    assert zh.returncode == 2 and zh.stderr.startswith("错误：缺少选项 '--action'。（参见 `rightsgraph check --help`）")
    en = _run("en", "check", "--target", "https://example.org/x", data_dir=demo)
    assert en.returncode == 2 and en.stderr.startswith("error: Missing option '--action'. (see `rightsgraph check --help`)")
    nope = _run("zh", "licence", "compare", "--nope", data_dir=demo)
    assert "没有选项 '--nope'" in nope.stderr and "No such option" not in nope.stderr


def test_not_held_in_each_language(demo):
    args = ("check", "--doi", "10.9999/not-in-the-library", "--action", "read")
    zh, en = _run("zh", *args, data_dir=demo), _run("en", *args, data_dir=demo)
    assert zh.stdout.startswith("not-held (identifier-not-held)") and CJK.search(zh.stdout.splitlines()[1])
    assert en.stdout.startswith("not-held (identifier-not-held)") and not CJK.search(en.stdout)


def test_a_deny_with_its_reason_in_each_language(demo):
    args = ("check", "--issn", "28802551", "--action", "read", "--assignee", LI_MING,
            "--at", "2028-06-01T10:00:00Z", "--date", "2019")
    zh, en = _run("zh", *args, data_dir=demo), _run("en", *args, data_dir=demo)
    assert zh.stdout.startswith("deny (constraint-unsatisfied)") and en.stdout.startswith("deny (constraint-unsatisfied)")
    assert "\n  资源: https://demo.rightsgraph.org/resource/0163" in zh.stdout
    assert "\n  政策: " in zh.stdout and "\n  馆藏: " in zh.stdout and "policies:" not in zh.stdout
    assert "\n  resource: https://demo.rightsgraph.org/resource/0163" in en.stdout and not CJK.search(en.stdout)


def test_licence_compare_headings_in_each_language(demo):
    zh = _run("zh", "licence", "compare", "lic:L01", "L03", data_dir=demo)
    en = _run("en", "licence", "compare", "lic:L01", "L03", data_dir=demo)
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr + en.stderr
    assert re.search(r"^状态: ", zh.stdout, re.M) and re.search(r"^被许可方: ", zh.stdout, re.M)
    assert "* 各许可在此条款上不同" in zh.stdout and "differ" not in zh.stdout
    assert re.search(r"^status: ", en.stdout, re.M) and "* the licences differ on this term" in en.stdout
    assert not CJK.search(en.stdout.split("\n\n")[0])
    usage = _run("zh", "licence", "compare", "lic:L01", data_dir=demo)
    assert usage.returncode == 2 and "请给出两个或更多许可" in usage.stderr


def test_the_risk_and_asset_reports_in_each_language(demo):
    """Issue 15: `report` printed English headings even with --lang zh."""
    zh = _run("zh", "report", "risks", "--days", "400", data_dir=demo)
    en = _run("en", "report", "risks", "--days", "400", data_dir=demo)
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr + en.stderr
    assert "天内到期" in zh.stdout and "即将到期的许可协议：" in zh.stdout and "licences expiring" not in zh.stdout
    assert "licences expiring: " in en.stdout and not CJK.search(en.stdout.split("\n")[0])
    zh = _run("zh", "report", "assets", data_dir=demo)
    assert zh.returncode == 0, zh.stderr
    assert "按资产类别：" in zh.stdout and "按许可协议：" in zh.stdout and "by asset class" not in zh.stdout


def test_a_validation_rejection_in_each_language(tmp_path):
    bad = REPO / "tests" / "data" / "invalid" / "concurrent-users-not-integer.ttl"
    zh = _run("zh", "load", bad, data_dir=tmp_path / "zh")
    en = _run("en", "load", bad, data_dir=tmp_path / "en")
    assert zh.returncode == 1 and en.returncode == 1
    assert re.search(r"已拒绝：\d+ 处违规；未加载任何数据", zh.stderr), zh.stderr
    assert re.search(r"rejected: \d+ violation\(s\); nothing was loaded", en.stderr), en.stderr
    assert "rejected" not in zh.stderr


def _command_paths(cmd, path=()):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _command_paths(sub, path + (name,))


def test_every_commands_help_is_chinese_with_lang_zh():
    """Each command's --help in Chinese: its own help and every option's help translated, no
    English help sentence left, no line wider than 80 columns (CJK counts two)."""
    from click.testing import CliRunner

    from rightsgraph.cli import main
    from rightsgraph.cli.localized import help_msgid
    from rightsgraph.text_columns import width
    from rightsgraph.translation import gettext
    runner = CliRunner()
    paths = list(_command_paths(main))
    assert len(paths) > 40
    for path, cmd in paths:
        out = runner.invoke(main, ["--lang", "zh", *path, "--help"], terminal_width=80)
        assert out.exit_code == 0, (path, out.output)
        text = out.output
        assert text.startswith("用法:"), (path, text[:80])
        first_words = gettext(help_msgid(cmd.help), "zh")[:12]
        assert first_words in text.replace("\n", "").replace("  ", ""), (path, first_words)
        english = [help_msgid(cmd.help)] + [p.help for p in cmd.params if getattr(p, "help", None)]
        left = [e for e in english if e and e[:30] in text]
        assert not left, (path, left)
        # lines of Chinese text; a long option name or usage line is click's own, in English too
        wide = [line for line in text.splitlines()[1:] if width(line) > 80 and width(line) != len(line)]
        assert not wide, (path, wide)


@pytest.mark.parametrize("columns", range(60, 84))
def test_chinese_help_lines_never_start_with_closing_punctuation(columns):
    """`rightsgraph --lang zh --help` at 78 columns began a line with "）。": two closing marks
    in a row, and only one moved down with the word before them."""
    from rightsgraph.cli.localized import _NO_LINE_START, _wrap_wide
    text = "rightsgraph：数字图书馆的权利元数据（ODRL 2.2、PREMIS 3、SHACL、SPARQL 1.1）。馆际互借（电子、纸本）。"
    lines = _wrap_wide(text, columns, "  ", "  ")
    assert all(ln.strip()[0] not in _NO_LINE_START for ln in lines if ln.strip()), lines
    assert "".join(ln.strip() for ln in lines).replace(" ", "") == text.replace(" ", "")
