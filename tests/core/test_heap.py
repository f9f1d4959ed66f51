"""Start-up objects frozen out of full garbage collections: what a crowd's slowest requests waited for.

Each check runs in a fresh interpreter: freezing is process-wide and cannot be undone in part."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from charity_site.config import PROJECT_ROOT


def run_python(script: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_frozen_objects_leave_the_collectors_walk_and_garbage_is_collected_not_frozen():
    assert run_python("""
        import gc, weakref
        from charity_site.core.heap import freeze_startup_objects

        class Node:
            pass

        cycle = Node()
        cycle.itself = cycle  # only the collector frees a cycle
        cycle_gone = weakref.ref(cycle)
        del cycle
        loaded = [Node() for _ in range(5_000)]
        walked_before = len(gc.get_objects())
        freeze_startup_objects()
        walked = {id(item) for item in gc.get_objects()}
        print(cycle_gone() is None, any(id(node) in walked for node in loaded), len(walked) < walked_before - 5_000)
    """) == "True False True"

