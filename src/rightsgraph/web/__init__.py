"""The HTTP doors: SPARQL 1.1 Protocol endpoint, JSON API and web pages over one store."""

from .app import create_app

__all__ = ["create_app"]
