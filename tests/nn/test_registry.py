"""The registry: names, aliases, unknown names, and the name it gives each entry."""

from __future__ import annotations

import pytest

from nnviz.nn import activations, initializers, losses, optimizers
from nnviz.nn.registry import Registry


def test_register_names_the_entry_and_get_resolves_aliases():
    reg: Registry[type] = Registry("widget")

    @reg.register("gizmo", aliases=("gadget",))
    class Gizmo:
        pass

    assert Gizmo.name == "gizmo"
    assert reg.get("Gadget") is Gizmo and reg.names() == ["gizmo"] and "gadget" in reg
    with pytest.raises(ValueError, match="widget 'gizmo' is already registered"):
        reg.register("gizmo")(type("Other", (), {}))
    reg.unregister("gadget")
    assert "gizmo" not in reg and "gadget" not in reg and len(reg) == 0
    with pytest.raises(ValueError, match="unknown widget 'gizmo'; known: $"):
        reg.get("gizmo")


@pytest.mark.parametrize("registry", [activations.ACTIVATIONS, losses.LOSSES, optimizers.OPTIMIZERS,
                                      initializers.INITIALIZERS], ids=lambda r: r.kind)
def test_every_entry_carries_its_registered_name(registry):
    for name in registry.names():
        assert registry.get(name).name == name
