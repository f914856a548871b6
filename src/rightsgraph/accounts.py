"""API tokens and roles. Tokens are random 256-bit secrets shown once and stored only as
SHA-256 digests (like the personal access tokens of code-hosting services); a leaked
accounts file does not leak a usable token."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

ROLES = ("reader", "cataloguer", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}
TOKEN_PREFIX = "rg_"


def role_at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK[role] >= _RANK[needed]


@dataclass
class Account:
    name: str
    role: str
    token_sha256: str
    created: str
    revoked: bool = False


class AccountError(ValueError):
    pass


class Accounts:
    """The accounts file (JSON) beside the store; written atomically."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, Account]] | None = None

    def _read(self) -> dict[str, Account]:
        if not self.path.exists():
            return {}
        mtime = self.path.stat().st_mtime
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        data = json.loads(self.path.read_text(encoding="utf-8"))
        accounts = {a["name"]: Account(**a) for a in data.get("accounts", [])}
        self._cache = (mtime, accounts)
        return accounts

    def _write(self, accounts: dict[str, Account]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"accounts": [asdict(a) for a in accounts.values()]}, indent=2),
                       encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)
        self._cache = None

    def add(self, name: str, role: str) -> str:
        """Create an account; returns its token (the only time it is shown)."""
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        with self._lock:
            accounts = dict(self._read())
            if name in accounts and not accounts[name].revoked:
                raise AccountError(f"account {name!r} exists; revoke it first to issue a new token")
            token = TOKEN_PREFIX + secrets.token_urlsafe(32)
            accounts[name] = Account(name, role, _digest(token),
                                     datetime.now(timezone.utc).isoformat(timespec="seconds"))
            self._write(accounts)
        return token

    def revoke(self, name: str) -> None:
        with self._lock:
            accounts = dict(self._read())
            if name not in accounts:
                raise AccountError(f"no account named {name!r}")
            accounts[name].revoked = True
            self._write(accounts)

    def list(self) -> list[Account]:
        return sorted(self._read().values(), key=lambda a: a.name)

    def authenticate(self, token: str) -> Account | None:
        digest = _digest(token)
        for account in self._read().values():
            if not account.revoked and hmac.compare_digest(account.token_sha256, digest):
                return account
        return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
