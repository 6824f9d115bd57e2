"""The Functions page's link: the tab shown and every section's settings (the activations compared
and their parameters, the z range; the vanishing-gradient chain, the initialization and the
batch-norm networks; the regression and classification losses and their parameters; the softmax
logits and temperature).

Values are named by the page's widget keys (``fn_acts``, ``fn_chain_depth``, ...). ``resolve`` fills
what a link leaves out with the page's defaults, so a link restores the page exactly; the parsers
check each value (the page has no settings that constrain each other: an activation's parameter
is only used while the activation is chosen, and is kept otherwise).

Example: ``?tab=softmax&logits=3,1,-2&T=0.5`` (the other settings at their defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nnviz.labs import link_parts, share
from nnviz.labs.explain import functions
from nnviz.nn import activations, initializers, losses

#: The page's tabs by their word in the link.
TAB_WORDS = ("activations", "vanishing", "losses", "softmax")
#: The initialization and batch-norm networks' widths (the page's select sliders).
WIDTHS = (16, 32, 64, 128)


def act_key(name: str, hp: str) -> str:
    return f"fn_hp_{name}_{hp}"


def loss_key(name: str, hp: str) -> str:
    return f"fn_loss_{name}_{hp}"


def elementwise() -> list[str]:
    return [n for n in activations.names() if activations.ACTIVATIONS.get(n).elementwise]


def deep_activations() -> list[str]:
    """The hidden activations the deep networks offer (one with no gradient has nothing to compare)."""
    return [n for n in elementwise() if functions.passes_gradient(n)]


def regression_losses() -> list[str]:
    return [n for n in losses.names() if losses.LOSSES.get(n).task == "regression"]


def classification_losses() -> list[str]:
    return [n for n in losses.names() if losses.LOSSES.get(n).fused_activation]


def _hyperparameter_fields(registry, names: Sequence[str], key: Callable[[str, str], str],
                           log_options: Sequence[float]) -> list[share.Field]:
    """A field ``<entry>.<hyperparameter>`` for each hyperparameter of each entry ``names`` of ``registry``."""
    return [share.Field(f"{name}.{hp}", key(name, hp), link_parts.hyperparameter(spec, log_options), share.number)
            for name in names for hp, spec in registry.get(name).hyperparams.items()]


def fields(tabs: Sequence[str], z_ranges: Sequence[float], temperatures: Sequence[float],
           log_options: Sequence[float]) -> list[share.Field]:
    """The link's fields. ``tabs``: the page's tab labels in ``TAB_WORDS`` order; ``z_ranges`` and
    ``temperatures``: those select sliders' values; ``log_options``: a log-scale hyperparameter
    slider's values. Built from the registries at call time (a new entry is in the link at once)."""
    tab = link_parts.named(dict(zip(TAB_WORDS, tabs, strict=True)))
    logits = link_parts.number_list("logits", 1, 12)
    act_names = link_parts.names(activations.names(), "activations")
    chain_names = link_parts.names(elementwise(), "activations")
    init_names = link_parts.names(initializers.names(), "initializers")
    reg_names = link_parts.names(regression_losses(), "losses")
    cls_names = link_parts.names(classification_losses(), "losses")
    out = [
        share.Field("tab", "fn_tab", *tab),
        share.Field("acts", "fn_acts", *act_names),
        share.Field("zr", "fn_zrange", link_parts.one_of(z_ranges), share.number),
    ]
    out += _hyperparameter_fields(activations.ACTIVATIONS, activations.names(), act_key, log_options)
    out += [
        share.Field("chain", "fn_chain_acts", *chain_names),
        share.Field("n", "fn_chain_depth", link_parts.whole(1, 60), share.number),
        share.Field("cw", "fn_chain_w", link_parts.real(0.1, 3.0), link_parts.short),
        share.Field("a0", "fn_chain_x0", link_parts.real(-2.0, 2.0), link_parts.short),
        share.Field("iact", "fn_init_act", share.choice(deep_activations())),
        share.Field("inits", "fn_inits", *init_names),
        share.Field("idepth", "fn_init_depth", link_parts.whole(2, 30), share.number),
        share.Field("iwidth", "fn_init_width", link_parts.one_of(WIDTHS), share.number),
        share.Field("bnact", "fn_bn_act", share.choice(deep_activations())),
        share.Field("bninit", "fn_bn_init", share.choice(initializers.names())),
        share.Field("bndepth", "fn_bn_depth", link_parts.whole(2, 30), share.number),
        share.Field("bnwidth", "fn_bn_width", link_parts.one_of(WIDTHS), share.number),
        share.Field("rloss", "fn_reg_losses", *reg_names),
        share.Field("ry", "fn_reg_target", link_parts.real(-3.0, 3.0), link_parts.short),
    ]
    out += _hyperparameter_fields(losses.LOSSES, regression_losses(), loss_key, log_options)
    out += [
        share.Field("closs", "fn_cls_losses", *cls_names),
        share.Field("by", "fn_bce_target", link_parts.real(0.0, 1.0), link_parts.short),
        share.Field("k", "fn_ce_classes", link_parts.whole(2, 10), share.number),
        share.Field("logits", "fn_logits", *logits),
        share.Field("T", "fn_temperature", link_parts.one_of(temperatures), share.number),
    ]
    return out


def hyperparameter_defaults(chosen: Sequence[str], log_options: Sequence[float]) -> dict[str, float]:
    """Where the page's parameter sliders start: the chosen activations' (at their plotting default,
    ``plot_params``, else the registry's) and every regression loss's (all are always shown)."""
    out: dict[str, float] = {}
    for name in chosen:
        if name not in activations.names():
            continue
        cls = activations.ACTIVATIONS.get(name)
        for hp, spec in cls.hyperparams.items():
            start = cls.plot_params.get(hp, spec[0])
            out[act_key(name, hp)] = link_parts.slider_default((start, *spec[1:]), log_options)
    for name in regression_losses():
        for hp, spec in losses.LOSSES.get(name).hyperparams.items():
            out[loss_key(name, hp)] = link_parts.slider_default(spec, log_options)
    return out


def resolve(values: Mapping[str, Any], defaults: Mapping[str, Any],
            log_options: Sequence[float] = ()) -> tuple[dict[str, Any], list[str]]:
    """A link's decoded ``values`` made whole: every setting it leaves out takes its default
    (``defaults``: the page's, keyed like ``values``; the shown parameters' sliders at theirs).
    Returns the values and messages (none: no settings here constrain each other; kept for the
    same call as the other pages)."""
    chosen = values.get("fn_acts", defaults.get("fn_acts", []))
    return {**defaults, **hyperparameter_defaults(chosen, log_options), **values}, []
