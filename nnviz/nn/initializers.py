"""Weight initializers: ``init(shape, rng, dtype) -> array``.

Shapes follow the layers: Dense weights are (fan_in, fan_out); Conv2D kernels are
(kh, kw, in_channels, out_channels), so fan_in = kh*kw*in and fan_out = kh*kw*out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np

from nnviz.nn.registry import Registry


class Initializer(Protocol):
    def __call__(self, shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray: ...


INITIALIZERS: Registry[Callable[..., np.ndarray]] = Registry("initializer")


def get(name: str) -> Callable[..., np.ndarray]:
    """The initializer function by name (aliases: xavier/glorot -> xavier_uniform, he -> he_normal)."""
    return INITIALIZERS.get(name)


def names() -> list[str]:
    return INITIALIZERS.names()


def description(name: str) -> str:
    """What the initializer does, in one line (its docstring's first line; pages show it)."""
    doc = INITIALIZERS.get(name).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape; a 1-D shape is a bias (fan_in = fan_out = size)."""
    if len(shape) == 0 or any(int(s) <= 0 for s in shape):
        raise ValueError(f"weight shape must have positive sizes, got {shape}")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


@INITIALIZERS.register("zeros")
def zeros(shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray:
    """All zeros: every unit in a layer computes the same thing, so symmetry is never broken."""
    fans(shape)
    return np.zeros(shape, dtype=dtype)


@INITIALIZERS.register("random_normal", aliases=("random",))
def random_normal(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32, std: float = 0.01
) -> np.ndarray:
    """N(0, std^2) with a fixed small std (0.01): signals shrink layer after layer."""
    fans(shape)
    if not (math.isfinite(std) and std > 0):
        raise ValueError(f"std must be > 0, got {std}")
    return (rng.standard_normal(shape) * std).astype(dtype)


@INITIALIZERS.register("random_uniform")
def random_uniform(
    shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32, limit: float = 0.05
) -> np.ndarray:
    """U(-limit, limit) with a fixed limit (0.05)."""
    fans(shape)
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"limit must be > 0, got {limit}")
    return rng.uniform(-limit, limit, shape).astype(dtype)


@INITIALIZERS.register("xavier_uniform", aliases=("xavier", "glorot", "glorot_uniform"))
def xavier_uniform(shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray:
    """U(-l, l), l = sqrt(6 / (fan_in + fan_out)): keeps variance through tanh/sigmoid layers."""
    fan_in, fan_out = fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(dtype)


@INITIALIZERS.register("xavier_normal", aliases=("glorot_normal",))
def xavier_normal(shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray:
    """N(0, 2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return (rng.standard_normal(shape) * math.sqrt(2.0 / (fan_in + fan_out))).astype(dtype)


@INITIALIZERS.register("he_normal", aliases=("he", "kaiming"))
def he_normal(shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray:
    """N(0, 2 / fan_in): keeps variance through ReLU layers, which zero half their inputs."""
    fan_in, _ = fans(shape)
    return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(dtype)


@INITIALIZERS.register("he_uniform", aliases=("kaiming_uniform",))
def he_uniform(shape: tuple[int, ...], rng: np.random.Generator, dtype: type = np.float32) -> np.ndarray:
    """U(-l, l), l = sqrt(6 / fan_in)."""
    fan_in, _ = fans(shape)
    limit = math.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, shape).astype(dtype)
