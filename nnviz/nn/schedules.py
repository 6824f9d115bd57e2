"""Learning-rate schedules: ``lr(step)`` from the base rate, step counting from 0.

A schedule is a function ``fn(base_lr, step, total_steps, **settings)``; the settings it takes
(keyword parameters named like ``Schedule``'s fields, e.g. ``every`` and ``factor``) are what a
``Schedule`` passes it, so no code needs to know which schedule uses which setting.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, fields

from nnviz.nn.registry import Registry

SCHEDULES: Registry[Callable[..., float]] = Registry("schedule")


def names() -> list[str]:
    return SCHEDULES.names()


@SCHEDULES.register("constant")
def constant(base_lr: float, step: int, total_steps: int) -> float:
    """eta_t = eta."""
    return base_lr


@SCHEDULES.register("step")
def step_decay(base_lr: float, step: int, total_steps: int, every: int = 1000, factor: float = 0.5) -> float:
    """eta_t = eta * factor^floor(t / every)."""
    return base_lr * factor ** (step // every)


@SCHEDULES.register("cosine")
def cosine(base_lr: float, step: int, total_steps: int, min_ratio: float = 0.01) -> float:
    """eta_t = eta_min + (eta - eta_min) (1 + cos(pi t / T)) / 2, then eta_min after T steps."""
    t = min(step, total_steps) / max(total_steps, 1)
    lo = base_lr * min_ratio
    return lo + (base_lr - lo) * 0.5 * (1.0 + math.cos(math.pi * t))


@dataclass(frozen=True)
class Schedule:
    """A named schedule with its settings; ``Schedule("cosine", total_steps=5000)(0.1, t)``."""

    name: str = "constant"
    total_steps: int = 10_000
    every: int = 1000
    factor: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", SCHEDULES.canonical(self.name))
        if self.total_steps < 1 or self.every < 1:
            raise ValueError(f"schedule steps must be >= 1, got total_steps={self.total_steps}, every={self.every}")
        if not (0 < self.factor <= 1):
            raise ValueError(f"step-decay factor must be in (0, 1], got {self.factor}")
        fn = SCHEDULES.get(self.name)
        # Resolved once (not a dataclass field: equality, hashing and asdict see the settings only).
        object.__setattr__(self, "_fn", fn)
        object.__setattr__(self, "_settings", settings_of(fn, self))

    def __call__(self, base_lr: float, step: int) -> float:
        return self._fn(base_lr, step, self.total_steps, **self._settings)


def settings_of(fn: Callable[..., float], schedule: Schedule) -> dict[str, float]:
    """The ``Schedule`` settings that ``fn`` takes as keyword parameters, with ``schedule``'s values."""
    takes = inspect.signature(fn).parameters
    return {f.name: getattr(schedule, f.name) for f in fields(schedule)
            if f.name in takes and f.name not in ("name", "total_steps")}
