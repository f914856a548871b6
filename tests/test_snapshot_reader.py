"""A reader process's view of the published snapshots (store/snapshot_store.py): every
publish is seen at the reader's next access, however quickly publishes follow each other
(the reader checks CURRENT's inode, which cannot be reused while it holds the old file)."""

from __future__ import annotations

from rightsgraph.store.embedded import EmbeddedStore
from rightsgraph.store.snapshot_store import SnapshotStore
from rightsgraph.store.snapshots import current_published, publish, published_dir


def test_each_of_many_quick_publishes_is_seen_at_the_next_read(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    publish(store)
    reader = SnapshotStore(store.path)
    root = published_dir(store.path)
    try:
        for i in range(40):
            store.update(f'INSERT DATA {{ GRAPH <https://example.org/g> {{ <https://example.org/s{i}> '
                         f'<https://example.org/p> "{i}" }} }}')
            publish(store)
            assert reader.count() == i + 1                     # its own write, read back at once
            assert reader.path.name == current_published(root)
    finally:
        reader.close()
        store.close()


def test_a_closed_reader_opens_the_current_snapshot_again(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    publish(store)
    reader = SnapshotStore(store.path)
    reader.close()
    store.update('INSERT DATA { <https://example.org/s> <https://example.org/p> "x" }')
    publish(store)
    try:
        assert reader.count() == 1
    finally:
        reader.close()
        store.close()
