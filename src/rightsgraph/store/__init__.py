"""The store port: everything above it speaks quads and SPARQL 1.1 (see base.py)."""

from .base import Store, StoreError
from .embedded import EmbeddedStore, open_store

__all__ = ["Store", "StoreError", "EmbeddedStore", "open_store"]
