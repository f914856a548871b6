"""How the command line fails: one line in the user's language and a documented exit code.

Exit codes (README, "Exit codes"):

    0    done
    1    rejected: the data failed validation, invalid rows, or deny with --exit-code;
         nothing was stored
    2    wrong usage: unknown command or option, a bad value or IRI, no store at
         --data-dir, a malformed --store, a --port in use
    3    a file cannot be read, parsed or written; nothing was stored
    4    harvest: the peer is down or answered garbage; nothing changed
    5    the store cannot be used now: locked by a running server or command, the remote
         store unreachable or failing
    70   internal error (a bug, or an incomplete installation); RIGHTSGRAPH_DEBUG=1 shows
         the Python traceback
    130  interrupted (Ctrl-C)

Messages are written {"en": ..., "zh": ...}; details that come from a library (an OS
error, a parser) stay as the library wrote them.
"""

from __future__ import annotations

import os
import re
import sys

import click

from .. import translation

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_PEER = 4
EXIT_STORE = 5
EXIT_NOT_HELD = 6       # check --exit-code: the store holds no such resource (neither permit nor deny)
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

DEBUG_VARIABLE = "RIGHTSGRAPH_DEBUG"

def set_lang(lang: str | None) -> None:
    translation.set_lang(lang)


def current_lang(args: list[str] | None = None) -> str:
    """The --lang in force; before it is parsed, the one on the command line or from the
    environment."""
    return translation.lang_in_args(sys.argv[1:] if args is None else args) or translation.current_lang()


env_lang = translation.env_lang


def debug() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


class CliError(click.ClickException):
    """A failure the user can act on, told in both languages."""

    def __init__(self, texts: dict[str, str], exit_code: int):
        super().__init__(texts["en"])
        self.texts = texts
        self.exit_code = exit_code

    def text(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts["en"]


def _first_line(text: object, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


# ---------------------------------------------------------------------------- the store
def no_store(data_dir, store, *, exists: bool, create_hint: str = "init") -> CliError:
    why_en = "is not an Oxigraph store" if exists else "does not exist"
    why_zh = "不是 Oxigraph 存储库" if exists else "不存在"
    how_en = ("`serve --create` starts on a new empty store" if create_hint == "serve"
              else f"`rightsgraph --data-dir {data_dir} init` creates an empty store, `load` creates one and loads into it")
    how_zh = ("`serve --create` 会在新建的空存储库上启动" if create_hint == "serve"
              else f"`rightsgraph --data-dir {data_dir} init` 可新建空存储库，`load` 会新建并载入数据")
    return CliError({
        "en": f"no store in {data_dir} ({store} {why_en}): check --data-dir or RIGHTSGRAPH_DATA; {how_en}",
        "zh": f"{data_dir} 中没有存储库（{store} {why_zh}）：请检查 --data-dir 或 RIGHTSGRAPH_DATA；{how_zh}",
    }, EXIT_USAGE)


_SHARE_EN = "commands and servers can share a store run by `oxigraph serve` (--store URL, docs/remote-store.md)"
_SHARE_ZH = "命令与服务可共用由 `oxigraph serve` 运行的存储库（--store URL，见 docs/remote-store.md）"


def store_locked(data_dir, server: dict | None) -> CliError:
    if server:
        pid, url = server["pid"], server["url"]
        return CliError({
            "en": f"the store in {data_dir} is in use by a running rightsgraph server (pid {pid}, {url}): "
                  f"use that server over HTTP ({url}sparql), or stop it first; {_SHARE_EN}",
            "zh": f"{data_dir} 中的存储库正被运行中的 rightsgraph 服务占用（进程 {pid}，{url}）："
                  f"请通过 HTTP 使用该服务（{url}sparql），或先停止它；{_SHARE_ZH}",
        }, EXIT_STORE)
    return CliError({
        "en": f"the store in {data_dir} is in use by another process (a running `rightsgraph serve`, or a command "
              f"still at work): stop it or wait for it; {_SHARE_EN}",
        "zh": f"{data_dir} 中的存储库正被另一进程占用（运行中的 `rightsgraph serve` 或仍在执行的命令）："
              f"请停止它或等待其结束；{_SHARE_ZH}",
    }, EXIT_STORE)


def store_unusable(where: str, detail: object, *, remote: bool) -> CliError:
    detail = _first_line(detail)
    if remote:
        return CliError({
            "en": f"cannot use the store at {where}: {detail} (is the SPARQL server running? --store, RIGHTSGRAPH_STORE)",
            "zh": f"无法使用 {where} 的存储库：{detail}（SPARQL 服务是否在运行？--store、RIGHTSGRAPH_STORE）",
        }, EXIT_STORE)
    return CliError({"en": f"cannot use the store in {where}: {detail}",
                     "zh": f"无法使用 {where} 中的存储库：{detail}"}, EXIT_STORE)


def journal_entry_failed(where, exc) -> CliError:
    """The store's journal holds a committed write that cannot be applied (store/journal.py)."""
    return CliError({
        "en": f"the store in {where} was not opened: a write committed before a crash cannot be finished "
              f"({exc.entry.name}: {_first_line(exc.reason)}). Nothing was changed. Restore the latest backup "
              "(rightsgraph restore DIR --force), or open the store as it is and keep the write for inspection: "
              "rightsgraph recover --set-aside",
        "zh": f"未打开 {where} 中的存储库：崩溃前已提交的一次写入无法完成"
              f"（{exc.entry.name}：{_first_line(exc.reason)}）。未做任何更改。请恢复最近的备份"
              "（rightsgraph restore DIR --force），或按现状打开存储库并保留该写入以供检查："
              "rightsgraph recover --set-aside",
    }, EXIT_STORE)


def bad_store_url(url: str) -> CliError:
    return CliError({
        "en": f"--store {url!r}: not a store address: give the base URL of an Oxigraph server "
              "(http://host:7878) or query=URL,update=URL,gsp=URL",
        "zh": f"--store {url!r}：不是存储库地址：请给出 Oxigraph 服务的基础 URL（http://host:7878）"
              "或 query=URL,update=URL,gsp=URL",
    }, EXIT_USAGE)


# ---------------------------------------------------------------------------- files, ports
def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or _first_line(exc)


def cannot_read(path, exc: BaseException) -> CliError:
    return CliError({"en": f"cannot read {path}: {_reason(exc)}", "zh": f"无法读取 {path}：{_reason(exc)}"},
                    EXIT_BAD_INPUT)


def cannot_write(path, exc: BaseException) -> CliError:
    return CliError({"en": f"cannot write {path}: {_reason(exc)}", "zh": f"无法写入 {path}：{_reason(exc)}"},
                    EXIT_BAD_INPUT)


def not_utf8(path, exc: UnicodeDecodeError) -> CliError:
    return CliError({"en": f"cannot read {path}: not UTF-8 text (byte {exc.start})",
                     "zh": f"无法读取 {path}：不是 UTF-8 文本（第 {exc.start} 字节）"}, EXIT_BAD_INPUT)


def port_unavailable(host: str, port: int, exc: BaseException) -> CliError:
    return CliError({
        "en": f"cannot listen on {host}:{port}: {_reason(exc)} (choose another --port or --host, or stop what listens there)",
        "zh": f"无法在 {host}:{port} 上监听：{_reason(exc)}（请换一个 --port 或 --host，或停止占用它的程序）",
    }, EXIT_USAGE)


def bad_iri(value: str, exc: BaseException | None = None) -> str:
    """The message of a bad IRI parameter (click adds which parameter)."""
    why = f" ({_first_line(exc)})" if exc else ""
    return {"en": f"not an absolute IRI: {value!r}{why}",
            "zh": f"不是绝对 IRI：{value!r}{why}"}[current_lang()]


# ---------------------------------------------------------------------------- the backstop
def broken_install(exc: BaseException) -> CliError:
    looked = ", ".join(map(str, getattr(exc, "looked_in", [])))
    return CliError({
        "en": f"incomplete installation: cannot find the rightsgraph ontology/ and shapes/ folders "
              f"(looked in: {looked}); reinstall, or set RIGHTSGRAPH_HOME to the folder that holds them",
        "zh": f"安装不完整：找不到 rightsgraph 的 ontology/ 与 shapes/ 文件夹（已查找：{looked}）；"
              "请重新安装，或将 RIGHTSGRAPH_HOME 设为包含它们的文件夹",
    }, EXIT_INTERNAL)


def unexpected(exc: BaseException) -> CliError:
    what = f"{type(exc).__name__}: {_first_line(exc, 200)}"
    return CliError({
        "en": f"unexpected error ({what}); run with {DEBUG_VARIABLE}=1 for details",
        "zh": f"意外错误（{what}）；设置 {DEBUG_VARIABLE}=1 重新运行可查看详情",
    }, EXIT_INTERNAL)


def interrupted() -> CliError:
    return CliError({"en": "interrupted", "zh": "已中断"}, EXIT_INTERRUPTED)


def from_exception(exc: BaseException, where: str | None = None, remote: bool = False) -> CliError:
    """A CliError for an exception no command turned into one itself."""
    from ..package_data import ResourcesNotFound
    from ..store.base import StoreError
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, StoreError):
        return store_unusable(where or "", exc, remote=remote)
    if isinstance(exc, ResourcesNotFound):
        return broken_install(exc)
    if isinstance(exc, OSError) and exc.filename:
        return cannot_read(exc.filename, exc)
    return unexpected(exc)


# ---------------------------------------------------------------------------- writing it
_PREFIX = {"en": "error: ", "zh": "错误："}

def render(exc: click.ClickException, lang: str) -> str:
    """One line: `error: …` (`错误：…`)."""
    if isinstance(exc, CliError):
        return _PREFIX[lang] + exc.text(lang)
    message = _first_line(exc.format_message(), 1000)
    if isinstance(exc, click.UsageError):
        if lang == "zh":  # click ends some messages with its own "." (Missing option '--x'.)
            message = re.sub(r"(?<=[\w'\"])\.$", "。", message)
        ctx = exc.ctx
        if ctx is not None:
            help_hint = f"{ctx.command_path} --help"
            message += f" (see `{help_hint}`)" if lang == "en" else f"（参见 `{help_hint}`）"
    return _PREFIX[lang] + message


def report(exc: click.ClickException, args: list[str] | None = None) -> None:
    click.echo(render(exc, current_lang(args)), err=True)
