"""rightsgraph: a linked-data rights-metadata service for digital libraries."""

__version__ = "0.1.0"
