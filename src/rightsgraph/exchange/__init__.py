"""Consortium exchange: KBART title lists (kbart.py), shareable graph exports (shareable.py),
harvesting a peer's shared graphs over SPARQL (harvest.py) and the VoID/DCAT description of
the dataset (void.py). docs/exchange.md is the user's guide."""
