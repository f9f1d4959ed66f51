"""Statements built once per process.

Building a ``select()`` and working out its cache key costs more than running it: on the demo content a
small public query took ~0.3 ms to build and key against ~0.08 ms to execute, and a public page runs ten
or twenty of them. A statement whose shape never changes is built by a function decorated with
``built_once``: the first call builds it, every later call returns the same object, whose cache key
SQLAlchemy keeps. What varies goes in as a bound parameter: given at execution
(``db.session.execute(statement, {"project_id": 3})``, ``bindparam(..., expanding=True)`` for a list of
ids) or computed then (``now_param()`` in core/models.py).

A builder may take arguments that pick between a few shapes (a limit, a model class); each distinct
call is kept, so they must be few and hashable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

Statement = TypeVar("Statement")


def built_once(build: Callable[..., Statement]) -> Callable[..., Statement]:
    return functools.cache(build)
