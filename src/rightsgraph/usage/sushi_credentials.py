"""COUNTER_SUSHI credentials, kept in a file beside the store, never in the graph.

    creds = SushiCredentials(data_dir / "sushi-credentials.json")
    creds.add(SushiProvider("aldgate", "https://sushi.aldgate.example/counter", customer_id="...",
                            requestor_id="...", api_key="..."))
    creds.get("aldgate")

Why a file and not a confidential graph: a confidential graph is still readable by every
cataloguer through SPARQL and goes into exports and backups of the store; an API key must
reach neither. The file is written atomically with mode 0600 (like accounts.json, which
sits beside it), and nothing in rightsgraph prints requestor_id or api_key: `public()`
says only whether they are set. The customer_id is not treated as a secret: COUNTER puts
it in every report (Customer_ID, Institution_ID).
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ..bilingual import in_lang
from ..translation import both

CREDENTIALS_FILE = "sushi-credentials.json"
RELEASES = ("5", "5.1")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class CredentialsError(ValueError):
    """A provider that cannot be stored or found; `texts`: {"en": ..., "zh": ...}."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        super().__init__(texts["en"])

    def text(self, lang: str) -> str:
        return in_lang(self.texts, lang)


@dataclass(frozen=True)
class SushiProvider:
    """One COUNTER_SUSHI server and the library's credentials on it."""
    name: str
    url: str                      # the server's base URL, without /reports/... (R5.1: with or without /r51)
    customer_id: str
    requestor_id: str = ""
    api_key: str = ""
    platform: str = ""            # only for servers that serve several platforms
    release: str = "5.1"

    def secrets(self) -> list[str]:
        """The values that must never be printed or stored in the graph."""
        return [s for s in (self.api_key, self.requestor_id) if s]

    def public(self) -> dict:
        return {"name": self.name, "url": self.url, "release": self.release, "customer_id": self.customer_id,
                "platform": self.platform or None, "requestor_id": "set" if self.requestor_id else "not set",
                "api_key": "set" if self.api_key else "not set"}

    def check(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise CredentialsError(
                both("provider name %(name)s: use letters, digits, '.', '_' or '-' (at most 64)",
                     name=repr(self.name)))
        if not re.fullmatch(r"https?://[^\s?#]+", self.url):
            raise CredentialsError(
                both("SUSHI URL %(url)s is not an http(s) URL without query (the base, before /reports)",
                     url=repr(self.url)))
        if not self.customer_id.strip():
            raise CredentialsError(both("customer_id is required (the platform gives it with the credentials)"))
        if self.release not in RELEASES:
            raise CredentialsError(both("release %(release)s is not 5 or 5.1", release=repr(self.release)))


class SushiCredentials:
    """The credentials file (JSON, mode 0600), written atomically."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, SushiProvider]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {p["name"]: SushiProvider(**p) for p in data.get("providers", [])}
        except (ValueError, TypeError, KeyError) as exc:
            raise CredentialsError(both("%(path)s: not a SUSHI credentials file (%(__name__)s)",
                                        path=self.path, __name__=type(exc).__name__)) from None

    def _write(self, providers: dict[str, SushiProvider]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        # created 0600: the secret is never on disk with wider permissions, not even briefly
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"providers": [asdict(p) for p in sorted(providers.values(), key=lambda p: p.name)]}, f,
                      indent=2, ensure_ascii=False)
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)

    def add(self, provider: SushiProvider) -> bool:
        """Store (or replace) a provider; True when it replaced one of that name."""
        provider.check()
        with self._lock:
            providers = dict(self._read())
            replaced = provider.name in providers
            providers[provider.name] = provider
            self._write(providers)
        return replaced

    def remove(self, name: str) -> None:
        with self._lock:
            providers = dict(self._read())
            if name not in providers:
                raise self._unknown(name, providers)
            del providers[name]
            self._write(providers)

    def get(self, name: str) -> SushiProvider:
        providers = self._read()
        if name not in providers:
            raise self._unknown(name, providers)
        return providers[name]

    def list(self) -> list[SushiProvider]:
        return sorted(self._read().values(), key=lambda p: p.name)

    @staticmethod
    def _unknown(name: str, providers: dict) -> CredentialsError:
        known = ", ".join(sorted(providers)) or "none"
        return CredentialsError(both("no SUSHI provider named %(name)s (known: %(known)s; add one with `rightsgraph "
                                     "usage sushi add`)",
                                     name=repr(name), known=known))
