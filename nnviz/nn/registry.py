"""A named registry: the one extension point for activations, losses, optimizers, surfaces, ..."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects (usually classes or functions).

    ``register(name)`` is a decorator; ``get(name)`` raises ``ValueError`` listing the known
    names; ``names()`` keeps registration order, which is the order the UI shows.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, aliases: Iterable[str] = ()) -> Callable[[T], T]:
        """Decorator: ``@REGISTRY.register("relu")``. Aliases resolve in ``get`` but are not listed.

        The registry names the entry: it sets ``obj.name = name``, so a class never states its
        name a second time (and the two can never disagree)."""

        def decorator(obj: T) -> T:
            for key in (name, *aliases):
                if key in self._items or key in self._aliases:
                    raise ValueError(f"{self.kind} {key!r} is already registered")
            obj.name = name  # type: ignore[attr-defined]
            self._items[name] = obj
            for alias in aliases:
                self._aliases[alias] = name
            return obj

        return decorator

    def canonical(self, name: str) -> str:
        """The registered name for ``name`` or one of its aliases; ``ValueError`` if unknown."""
        if not isinstance(name, str):
            raise ValueError(f"{self.kind} name must be a string, got {name!r}")
        key = name.strip().lower()
        if key in self._items:
            return key
        if key in self._aliases:
            return self._aliases[key]
        raise ValueError(f"unknown {self.kind} {name!r}; known: {', '.join(self._items)}")

    def get(self, name: str) -> T:
        return self._items[self.canonical(name)]

    def names(self) -> list[str]:
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._items or name in self._aliases)

    def __len__(self) -> int:
        return len(self._items)

    def unregister(self, name: str) -> None:
        """Remove ``name`` and its aliases (tests register throwaway entries and remove them)."""
        key = self.canonical(name)
        del self._items[key]
        self._aliases = {alias: target for alias, target in self._aliases.items() if target != key}
