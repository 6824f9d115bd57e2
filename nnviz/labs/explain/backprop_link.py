"""The Backpropagation page's link: the tab shown, the single neuron (worked example, inputs,
weights, bias, activation and its parameters, loss and its parameters, target or true class,
learning rate), the tiny network (head, hidden activation, inputs, target or class, initializer,
seed, learning rate, the backward stage shown, its weights after SGD steps) and the gradient
check's slip toggle.

Values are named by the page's widget keys (``bp_x``, ``bp_tiny_lr``, ...), plus ``bp_tiny_params``
(the tiny network's weights, ``None`` for the initializer's). ``resolve`` fills what a link leaves
out with the page's defaults (a link restores the page exactly) and checks the settings that depend
on each other, by building the neuron and the network the page would build.

Example: ``?tab=neuron&ex=custom&x=1,2&w=0.3,-0.2&b=0&act=softmax&softmax.temperature=1&loss=cross_entropy&cls=1&lr=0.1``
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nnviz.labs import link_parts, share
from nnviz.labs.explain import neuron, numbers, tiny_network
from nnviz.nn import activations, initializers, losses

#: The page's tabs by their word in the link.
TAB_WORDS = ("neuron", "tiny", "check")
CUSTOM = "custom"
#: The neuron's and the tiny network's settings (widget keys), each checked as one group.
NEURON = ("bp_preset", "bp_x", "bp_w", "bp_b", "bp_act", "bp_loss", "bp_target", "bp_class", "bp_lr")
TINY = ("bp_tiny_head", "bp_tiny_hidden", "bp_tiny_x1", "bp_tiny_x2", "bp_tiny_target", "bp_tiny_class",
        "bp_tiny_init", "bp_tiny_seed", "bp_tiny_lr", "bp_tiny_step", "bp_tiny_params")
TINY_PARAMS = "bp_tiny_params"


def tiny_param_count(units: int) -> int:
    """The tiny network's parameter count for k output units: W1 (2, 2) + b1 (2) + W2 (2, k) + b2 (k)."""
    return 6 + 3 * units


def act_key(name: str, hp: str) -> str:
    return f"bp_act_{name}_{hp}"


def loss_key(name: str, hp: str) -> str:
    return f"bp_loss_{name}_{hp}"


def fields(tabs: Sequence[str], rates: Sequence[float], log_options: Sequence[float]) -> list[share.Field]:
    """The link's fields. ``tabs``: the page's tab labels in ``TAB_WORDS`` order; ``rates``: the
    learning-rate slider's values; ``log_options``: a log-scale hyperparameter slider's values.
    Built from the registries at call time, so a new activation or loss is in the link at once."""
    tab_parse, tab_format = link_parts.named(dict(zip(TAB_WORDS, tabs, strict=True)))
    x_parse, x_format = link_parts.number_list("inputs x", 1, 8)
    w_parse, w_format = link_parts.number_list("weights w", 1, 8)
    params_parse, params_format = link_parts.float_list(
        lambda n: n in {tiny_param_count(h.units) for h in tiny_network.TINY_OUTPUTS.values()}, "tiny network weights")
    rate = link_parts.one_of(rates)
    hidden = [n for n in activations.names() if activations.ACTIVATIONS.get(n).elementwise]
    out = [
        share.Field("tab", "bp_tab", tab_parse, tab_format),
        share.Field("ex", "bp_preset", share.choice([*neuron.PRESETS, CUSTOM])),
        share.Field("x", "bp_x", x_parse, x_format),
        share.Field("w", "bp_w", w_parse, w_format),
        share.Field("b", "bp_b", link_parts.real(-numbers.MAX_ABS, numbers.MAX_ABS), link_parts.short),
        share.Field("act", "bp_act", share.choice(activations.names())),
        share.Field("loss", "bp_loss", share.choice(neuron.neuron_losses())),
        share.Field("y", "bp_target", link_parts.real(-numbers.MAX_ABS, numbers.MAX_ABS), link_parts.short),
        share.Field("cls", "bp_class", link_parts.whole(0, 7), share.number),
        share.Field("lr", "bp_lr", rate, share.number),
    ]
    for name in activations.names():
        for hp, spec in activations.ACTIVATIONS.get(name).hyperparams.items():
            out.append(share.Field(f"{name}.{hp}", act_key(name, hp), link_parts.hyperparameter(spec, log_options),
                                   share.number))
    for name in neuron.neuron_losses():
        for hp, spec in losses.LOSSES.get(name).hyperparams.items():
            out.append(share.Field(f"{name}.{hp}", loss_key(name, hp), link_parts.hyperparameter(spec, log_options),
                                   share.number))
    out += [
        share.Field("net", "bp_tiny_head", share.choice(tiny_network.TINY_OUTPUTS)),
        share.Field("g", "bp_tiny_hidden", share.choice(hidden)),
        share.Field("x1", "bp_tiny_x1", link_parts.real(-100.0, 100.0), link_parts.short),
        share.Field("x2", "bp_tiny_x2", link_parts.real(-100.0, 100.0), link_parts.short),
        share.Field("ty", "bp_tiny_target", link_parts.real(-100.0, 100.0), link_parts.short),
        share.Field("tcls", "bp_tiny_class", link_parts.whole(0, 1), share.number),
        share.Field("init", "bp_tiny_init", share.choice(initializers.names())),
        share.Field("seed", "bp_tiny_seed", link_parts.whole(0, 10_000), share.number),
        share.Field("tlr", "bp_tiny_lr", rate, share.number),
        share.Field("stage", "bp_tiny_step", link_parts.whole(0, 6), share.number),
        share.Field("tw", TINY_PARAMS, params_parse, params_format),
        share.Field("slip", "bp_gc_slip", share.flag, share.flag_text),
    ]
    return out


# ---- the page's settings as a neuron and a network (the page builds them with these too) ------

def neuron_config(get: Callable[[str], Any]) -> neuron.NeuronConfig:
    """The neuron that the settings ``get(key)`` describe; ``ValueError`` saying what is wrong.
    ``get`` reads a setting by widget key (the page: session state; a link: its values)."""
    x = numbers.parse_numbers(get("bp_x"), "inputs x", 1, 8)
    w = numbers.parse_numbers(get("bp_w"), "weights w", 1, 8)
    if len(x) != len(w):
        raise ValueError(f"one weight per input: {len(x)} input(s) but {len(w)} weight(s)")
    act_name = get("bp_act")
    act_cls = activations.ACTIVATIONS.get(act_name)
    act_params = tuple((hp, float(_or(get(act_key(act_name, hp)), spec[0])))
                       for hp, spec in act_cls.hyperparams.items())
    loss_name = get("bp_loss")
    loss_params = tuple((hp, float(_or(get(loss_key(loss_name, hp)), spec[0])))
                        for hp, spec in losses.LOSSES.get(loss_name).hyperparams.items())
    target = get("bp_class") if not act_cls.elementwise else get("bp_target")
    return neuron.NeuronConfig(x, w, float(get("bp_b")), act_name, loss_name, target, float(get("bp_lr")),
                               act_params, loss_params)


def tiny_config(get: Callable[[str], Any]) -> tiny_network.TinyConfig:
    """The tiny network that the settings ``get(key)`` describe; ``ValueError`` saying what is wrong."""
    head = tiny_network.TINY_OUTPUTS[get("bp_tiny_head")]
    target = get("bp_tiny_class") if head.units > 1 else get("bp_tiny_target")
    return tiny_network.TinyConfig((float(get("bp_tiny_x1")), float(get("bp_tiny_x2"))), target,
                                   get("bp_tiny_hidden"), head.key, get("bp_tiny_init"),
                                   int(get("bp_tiny_seed")), float(get("bp_tiny_lr")))


def preset_values(key: str) -> dict[str, Any]:
    """A worked example's settings as the page's widgets hold them (inputs and weights as text)."""
    c = neuron.PRESETS[key].config
    values = {"bp_x": ", ".join(map(link_parts.short, c.x)), "bp_w": ", ".join(map(link_parts.short, c.w)),
              "bp_b": c.b, "bp_act": c.activation, "bp_loss": c.loss, "bp_lr": c.learning_rate}
    if c.per_logit:
        values |= {"bp_class": int(c.target), "bp_target": 1.0}
    else:
        values |= {"bp_target": c.target, "bp_class": 0}
    return values


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def hyperparameter_defaults(values: Mapping[str, Any], log_options: Sequence[float] = ()) -> dict[str, float]:
    """The sliders' defaults of the chosen activation's and loss's parameters (keys as the page's)."""
    out: dict[str, float] = {}
    act = values.get("bp_act")
    if act in activations.names():
        out |= {act_key(act, hp): link_parts.slider_default(spec, log_options)
                for hp, spec in activations.ACTIVATIONS.get(act).hyperparams.items()}
    loss = values.get("bp_loss")
    if loss in losses.names():
        out |= {loss_key(loss, hp): link_parts.slider_default(spec, log_options)
                for hp, spec in losses.LOSSES.get(loss).hyperparams.items()}
    return out


def resolve(values: Mapping[str, Any], defaults: Mapping[str, Any],
            log_options: Sequence[float] = ()) -> tuple[dict[str, Any], list[str]]:
    """A link's decoded ``values`` made whole and consistent: every setting the link leaves out
    takes its default (``defaults``: the page's, keyed like ``values``; the tiny network's weights
    default to the initializer's; a link that changes the neuron but names no worked example is a
    custom neuron), and a neuron or tiny network that cannot be built from the
    link's values is reported and replaced by the default one (messages in ``share.decode``'s style).
    Registry hyperparameters the link gives for an entry it does not choose are kept (harmless).
    ``log_options``: a log-scale slider's values (a registry default is snapped onto them)."""
    base = dict(defaults)
    if values.get("bp_preset") in neuron.PRESETS:  # what the link leaves out is that example's
        base |= preset_values(values["bp_preset"])
    out = {**base, TINY_PARAMS: None, **hyperparameter_defaults({**base, **values}, log_options), **values}
    messages: list[str] = []
    given = set(values)
    if "bp_preset" not in given and any(out[k] != base[k] for k in NEURON if k in given):
        out["bp_preset"] = CUSTOM  # a hand-made link's own neuron is not the default worked example
    try:
        neuron_config(out.get)
    except (ValueError, TypeError, KeyError) as exc:
        if given & set(NEURON):
            messages.append(f"ignored the link's single neuron ({share.reason(exc)}); using the default worked example")
        for key in NEURON:
            out[key] = defaults[key]
        out |= hyperparameter_defaults(out, log_options)
    try:
        config = tiny_config(out.get)
    except (ValueError, TypeError, KeyError) as exc:
        if given & set(TINY):
            messages.append(f"ignored the link's tiny network ({share.reason(exc)}); using the default network")
        for key in TINY:
            out[key] = defaults.get(key)
        config = tiny_config(out.get)
    params = out.get(TINY_PARAMS)
    if params is not None:
        wanted = tiny_param_count(config.head.units)
        if len(params) != wanted:
            messages.append(f"ignored tw ({len(params)} weights, but the {config.head.label[:5]} network has "
                            f"{wanted}); using the initial weights")
            out[TINY_PARAMS] = None
    return out, messages
