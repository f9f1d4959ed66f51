"""Start-up objects frozen out of full garbage collections: what a crowd's slowest requests waited for."""

from __future__ import annotations

import gc
import weakref

from charity_site.core.heap import freeze_startup_objects


class Node:
    pass


def test_frozen_objects_leave_the_collectors_walk_and_garbage_is_collected_not_frozen():
    cycle = Node()
    cycle.itself = cycle  # only the collector frees a cycle
    cycle_gone = weakref.ref(cycle)
    del cycle
    loaded = [Node() for _ in range(5_000)]
    walked_before = len(gc.get_objects())
    try:
        freeze_startup_objects()

        assert cycle_gone() is None
        walked = {id(item) for item in gc.get_objects()}
        assert not any(id(node) in walked for node in loaded)
        assert len(walked) < walked_before - 5_000
        assert gc.get_freeze_count() >= 5_000
    finally:
        gc.unfreeze()
    assert id(loaded[0]) in {id(item) for item in gc.get_objects()}
