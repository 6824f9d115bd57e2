"""Trainer: learning on toy sets, resumability, determinism, divergence, history, bad input, the
per-batch transform hook."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.data import toy_sets
from nnviz.nn import optimizers
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig, Trainer, finite_gradient


def _toy(name: str, n: int = 600, noise: float = 0.05, seed: int = 0):
    ds = toy_sets.get(name)(n=n, noise=noise, seed=seed)
    return toy_sets.split(ds, 0.3, seed)


@pytest.mark.parametrize("name,hidden,steps,target", [
    ("xor", [8, 8], 1500, 0.97),
    ("circles", [8, 8], 1500, 0.97),
    ("spiral", [16, 16, 16], 4000, 0.95),
])
def test_learns_toy_sets(name, hidden, steps, target):
    X, y, Xv, yv = _toy(name)
    net = Network.mlp([2, *hidden, 2], activation="tanh", output="softmax", seed=0)
    tr = Trainer(net, TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=32, eval_every=100), X, y, Xv, yv)
    tr.run(steps=steps)
    assert tr.diverged is None
    assert tr.evaluate(Xv, yv)[1] >= target


def test_resumable_chunks_equal_one_run_and_same_seed_is_bit_identical():
    X, y, Xv, yv = _toy("circles")

    def make():
        net = Network.mlp([2, 6, 2], activation="relu", output="softmax", seed=1)
        return Trainer(net, TrainConfig(seed=3, batch_size=16), X, y, Xv, yv)

    a, b = make(), make()
    a.run(steps=120)
    for _ in range(12):
        b.run(steps=10)
    assert np.array_equal(a.net.get_flat(), b.net.get_flat())
    assert a.history.loss == b.history.loss and a.history.val_loss == b.history.val_loss
    c = make()
    c.config = c.config  # same config object, new trainer, same seed
    c.run(steps=120)
    assert a.history.to_dict() == c.history.to_dict()


def test_changing_settings_mid_run_keeps_model_steps_and_optimizer_state():
    X, y, _, _ = _toy("xor")
    tr = Trainer(Network.mlp([2, 8, 2], activation="tanh", output="softmax"), TrainConfig(optimizer="adam"), X, y)
    tr.run(steps=30)
    moments = tr.optimizer.state["dense0.W"]["m"].copy()
    weights = tr.net.get_flat()
    tr.configure(tr.config.replace(learning_rate=0.001, batch_size=64, l2=0.01))
    assert tr.step == 30 and np.array_equal(tr.net.get_flat(), weights)
    assert np.array_equal(tr.optimizer.state["dense0.W"]["m"], moments)
    assert tr.optimizer.learning_rate == 0.001
    tr.run(steps=5)
    assert tr.step == 35 and tr.history.learning_rate[-1] == 0.001


def test_divergence_is_a_result_and_keeps_the_last_finite_state():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = 3 * X[:, 0]
    net = Network.mlp([2, 8, 1], activation="relu", output="linear")
    tr = Trainer(net, TrainConfig(loss="mse", optimizer="sgd", learning_rate=30.0), X, y)
    with np.errstate(all="raise"):  # no warnings escape the trainer
        done = tr.run(steps=500)
    assert tr.diverged is not None and done < 500
    assert np.all(np.isfinite(net.get_flat()))
    assert len(tr.history.loss) == tr.step == tr.diverged - 1
    assert tr.run(steps=10) == 0  # a diverged run does not go on


def test_an_update_that_leaves_non_finite_weights_is_divergence_and_is_undone():
    """A finite loss and gradient whose update still gives NaN (0/0 in an adaptive step, say) is
    caught at that step, and the weights are exactly the ones before it."""
    X, y, _, _ = _toy("circles", n=100)
    tr = Trainer(Network.mlp([2, 4, 2], activation="tanh", output="softmax"),
                 TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=0.01), X, y)
    tr.run(steps=3)
    before = tr.net.get_flat().copy()
    real_step = tr.optimizer.step_packed

    def poisoned(params, grads, packed, packed_grads):
        real_step(params, grads, packed, packed_grads)
        packed[len(packed) // 2] = np.nan

    tr.optimizer.step_packed = poisoned
    tr.run(steps=5)
    assert tr.diverged == 4 and tr.step == 3 and len(tr.history.loss) == 3
    assert np.array_equal(tr.net.get_flat(), before)


def test_history_records_evaluations_and_diagnostics():
    X, y, Xv, yv = _toy("circles")
    net = Network.mlp([2, 8, 8, 2], activation="relu", output="softmax")
    tr = Trainer(net, TrainConfig(eval_every=10), X, y, Xv, yv)
    calls = []
    tr.run(steps=40, progress=lambda done, total: calls.append((done, total)))
    h = tr.history
    assert list(h.steps) == list(range(1, 41))
    assert list(h.eval_steps) == [1, 10, 20, 30, 40]
    assert set(h.grad_norms) == {"dense0", "dense1", "dense2"}
    assert all(len(v) == 5 for v in h.grad_norms.values())
    assert all(0.0 <= f <= 1.0 for f in h.dead_relu)
    assert 0 <= h.val_accuracy[-1] <= 1
    assert calls[-1] == (40, 40)
    csv = h.to_csv().splitlines()
    assert csv[0].startswith("step,loss,learning_rate") and len(csv) == 41


def test_dead_relu_fraction_sees_dead_units():
    X, y, _, _ = _toy("xor")
    net = Network.mlp([2, 4, 2], activation="relu", output="softmax")
    net.params["dense0.b"][...] = -100.0  # every hidden unit off for every input
    tr = Trainer(net, TrainConfig(), X, y)
    assert tr.dead_relu_fraction() == 1.0
    tanh_net = Network.mlp([2, 4, 2], activation="tanh", output="softmax")
    assert math.isnan(Trainer(tanh_net, TrainConfig(), X, y).dead_relu_fraction())
    assert tr.counts_dead_units and not Trainer(tanh_net, TrainConfig(), X, y).counts_dead_units


def test_epochs_and_regression_accuracy_is_nan():
    ds = toy_sets.get("sine")(n=200, noise=0.0, seed=0)
    net = Network.mlp([2, 8, 1], activation="tanh", output="linear")
    tr = Trainer(net, TrainConfig(loss="mse", batch_size=50), ds.X, ds.y)
    assert tr.run(epochs=2) == 8
    assert math.isnan(tr.history.train_accuracy[-1])


@pytest.mark.parametrize("changes,match", [
    ({"learning_rate": -1}, "learning rate must be > 0, got -1"),
    ({"learning_rate": 0}, "learning rate must be > 0"),
    ({"batch_size": 0}, "batch size"),
    ({"batch_size": True}, "batch size must be an integer, got True"),
    ({"batch_size": 32.0}, "batch size must be an integer"),
    ({"eval_every": False}, "eval_every .* must be an integer, got False"),
    ({"eval_every": -1}, "eval_every"),
    ({"seed": True}, "seed must be an integer, got True"),
    ({"l2": -0.1}, "L2 strength"),
    ({"loss": "not-a-loss"}, "unknown loss"),
    ({"optimizer": "not-an-optimizer"}, "unknown optimizer"),
    ({"optimizer_params": {"beta_1": 2.0}}, "beta_1"),
])
def test_bad_config(changes, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**changes)


def test_bad_data():
    net = Network.mlp([2, 4, 2], output="softmax")
    X = np.zeros((10, 2))
    y = np.zeros(10, dtype=int)
    with pytest.raises(ValueError, match="NaN"):
        Trainer(net, TrainConfig(), np.full((10, 2), np.nan), y)
    with pytest.raises(ValueError, match="does not fit the network's input"):
        Trainer(net, TrainConfig(), np.zeros((10, 3)), y)
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        Trainer(net, TrainConfig(), X, y[:9])
    with pytest.raises(ValueError, match="labels must be in"):
        Trainer(net, TrainConfig(), X, np.full(10, 5))
    with pytest.raises(ValueError, match="exactly one of"):
        Trainer(net, TrainConfig(), X, y).run()


# ---- the per-batch transform hook ------------------------------------------------------------


def _jitter(seen: list | None = None):
    """A transform that records each batch it is given and adds seeded noise to X."""

    def transform(X, y, rng):
        if seen is not None:
            seen.append((X.copy(), y.copy()))
        return X + rng.normal(0.0, 0.05, X.shape), y

    return transform


def test_transform_sees_every_training_batch_and_nothing_else():
    X, y, Xv, yv = _toy("circles")
    seen: list = []
    net = Network.mlp([2, 6, 2], activation="tanh", output="softmax", seed=0)
    tr = Trainer(net, TrainConfig(batch_size=16, eval_every=5), X, y, Xv, yv, transform=_jitter(seen))
    tr.run(steps=40)
    assert len(seen) == 40 and len(tr.history.eval_steps) == 9  # one call per step, none per evaluation
    assert all(xb.shape == (16, 2) and yb.shape == (16,) for xb, yb in seen)
    rows = {tuple(row) for xb, _ in seen for row in xb}
    assert rows <= {tuple(row) for row in tr.X}  # training rows only, before the transform
    assert not rows & {tuple(row) for row in tr.X_val}  # validation never goes through it


def test_transform_is_not_applied_to_evaluation():
    X, y, Xv, yv = _toy("circles")

    def scramble(Xb, yb, rng):
        return np.full_like(Xb, 1e3), yb  # what training sees is garbage

    net = Network.mlp([2, 6, 2], activation="tanh", output="softmax", seed=0)
    tr = Trainer(net, TrainConfig(eval_every=1), X, y, Xv, yv, transform=scramble)
    before = tr.evaluate(Xv, yv)
    tr.run(steps=1)
    assert tr.history.val_loss[-1] == pytest.approx(tr.evaluate(Xv, yv)[0])
    assert tr.history.train_loss[-1] == pytest.approx(tr.evaluate(X[:2000], y[:2000])[0])
    assert tr.history.val_loss[-1] != before[0]  # it trained (on the transformed batch)
    assert tr.history.loss[-1] != pytest.approx(tr.history.train_loss[-1])  # the batch loss saw 1e3s


def test_transform_with_the_same_seed_gives_bit_identical_runs_and_chunks():
    X, y, Xv, yv = _toy("circles")

    def make(seed: int = 3) -> Trainer:
        net = Network.mlp([2, 6, 2], activation="relu", output="softmax", seed=1)
        return Trainer(net, TrainConfig(seed=seed, batch_size=16), X, y, Xv, yv, transform=_jitter())

    a, b, c = make(), make(), make(seed=4)
    a.run(steps=60)
    for _ in range(6):
        b.run(steps=10)
    c.run(steps=60)
    assert np.array_equal(a.net.get_flat(), b.net.get_flat())
    assert a.history.to_dict() == b.history.to_dict()
    assert not np.array_equal(a.net.get_flat(), c.net.get_flat())  # the noise comes from the seed
    plain = Trainer(Network.mlp([2, 6, 2], activation="relu", output="softmax", seed=1),
                    TrainConfig(seed=3, batch_size=16), X, y, Xv, yv)
    plain.run(steps=60)
    assert not np.array_equal(a.net.get_flat(), plain.net.get_flat())


def test_transform_may_change_the_batch_size_and_labels():
    X, y, _, _ = _toy("xor")

    def doubled(Xb, yb, rng):
        return np.concatenate([Xb, -Xb]), np.concatenate([yb, yb])  # xor is symmetric under x -> -x

    net = Network.mlp([2, 8, 2], activation="tanh", output="softmax", seed=0)
    tr = Trainer(net, TrainConfig(batch_size=8), X, y, transform=doubled)
    assert tr.run(steps=5) == 5 and tr.diverged is None


@pytest.mark.parametrize(("transform", "match"), [
    (lambda X, y, rng: X, "must return a tuple"),
    (lambda X, y, rng: (X[:, :1], y), r"X of shape \(16, 1\) for a batch of shape \(16, 2\)"),
    (lambda X, y, rng: (X[:0], y[:0]), "batch >= 1"),
    (lambda X, y, rng: (X, y[:3]), r"y of shape \(3,\) for X of shape \(16, 2\); expected \(16,\)"),
    (lambda X, y, rng: (X, y[:, None]), r"y of shape \(16, 1\)"),
])
def test_a_bad_transform_result_raises_a_clear_error(transform, match):
    X, y, _, _ = _toy("xor")
    net = Network.mlp([2, 4, 2], output="softmax")
    tr = Trainer(net, TrainConfig(batch_size=16), X, y, transform=transform)
    weights = net.get_flat()
    with pytest.raises(ValueError, match=match):
        tr.run(steps=1)
    assert tr.step == 0 and np.array_equal(net.get_flat(), weights)


def test_transform_must_be_callable():
    X, y, _, _ = _toy("xor")
    with pytest.raises(ValueError, match="transform must be callable"):
        Trainer(Network.mlp([2, 4, 2], output="softmax"), TrainConfig(), X, y, transform="augment")


# ---- the fast paths give the same numbers as the plain composition of the public API ----------


def _reference_run(net, cfg: TrainConfig, X, y, X_val, y_val, steps: int, probe_size: int, eval_size: int):
    """The Trainer's algorithm written out with the public API only: per-batch targets, the
    per-key optimizer ``step``, ``predict`` for evaluations and a separate pass over the probe."""
    from nnviz.nn import losses, optimizers, regularization
    from nnviz.nn.layers import Activation

    X = X.astype(net.dtype)
    X_val = X_val.astype(net.dtype)
    rng = np.random.default_rng(cfg.seed)
    loss = losses.get(cfg.loss)
    opt = optimizers.create(cfg.optimizer, cfg.learning_rate, **cfg.optimizer_params)
    order, pos, b = rng.permutation(len(X)), 0, cfg.batch_size
    rows: dict[str, list] = {k: [] for k in ("loss", "lr", "train", "val", "dead", "norms")}
    for step in range(1, steps + 1):
        if pos + b > len(X):
            order, pos = rng.permutation(len(X)), 0
        idx = order[pos : pos + b]
        pos += b
        out = net.forward(X[idx], training=True)
        t = losses.as_targets(out, y[idx])
        value = loss.value(out, t)
        net.loss_backward(loss, out, t, input_grad=False)
        regularization.add_gradients(net, cfg.l1, cfg.l2)
        sq = {k: float(np.vdot(g, g)) for k, g in net.grads.items()}
        lr = cfg.schedule(cfg.learning_rate, step - 1)
        opt.learning_rate = lr
        opt.step(net.params, net.grads)
        rows["loss"].append(value)
        rows["lr"].append(lr)
        if step % cfg.eval_every == 0 or step == 1:
            for name, (Xe, ye) in (("train", (X[:eval_size], y[:eval_size])), ("val", (X_val, y_val))):
                out = net.predict(Xe)
                labels = ye.astype(np.int64)
                rows[name].append((loss.value(out, ye), float(np.mean(out.argmax(axis=1) == labels))))
            outs = net.layer_outputs(X[:probe_size])
            hidden = [o for layer, o in zip(net.layers[:-1], outs, strict=False)
                      if isinstance(layer, Activation) and layer.fn.can_die]
            dead = sum(int(np.all(o <= 0, axis=0).sum()) for o in hidden)
            total = sum(o.shape[1] for o in hidden)
            rows["dead"].append(dead / total if total else math.nan)
            rows["norms"].append([math.sqrt(sum(v for k, v in sq.items() if k.startswith(layer.name + ".")))
                                  for layer in net.layers if layer.params])
    return rows, opt


@pytest.mark.parametrize("optimizer", optimizers.names())
@pytest.mark.parametrize("variant", ["relu", "tanh-bn-dropout-l2-step"])
def test_trainer_is_bit_identical_to_the_plain_algorithm(optimizer, variant):
    from nnviz.nn.schedules import Schedule

    X, y, Xv, yv = _toy("circles", n=400)
    if variant == "relu":
        make = lambda: Network.mlp([2, 8, 8, 2], activation="relu", output="softmax", seed=1)  # noqa: E731
        cfg = TrainConfig(optimizer=optimizer, learning_rate=0.01, batch_size=16, seed=2, eval_every=7)
    else:
        make = lambda: Network.mlp([2, 8, 8, 2], activation="tanh", output="softmax", seed=1,  # noqa: E731
                                   batchnorm=True, dropout=0.2)
        cfg = TrainConfig(optimizer=optimizer, learning_rate=0.01, batch_size=10, seed=2, eval_every=5, l1=1e-3,
                          l2=1e-3, schedule=Schedule("step", every=20, factor=0.5))
    probe, eval_size = 50, 200  # the probe within the evaluated rows: dead units read off that pass
    tr = Trainer(make(), cfg, X, y, Xv, yv, probe_size=probe, eval_size=eval_size)
    tr.run(steps=95)
    ref_net = make()
    rows, opt = _reference_run(ref_net, cfg, X, y, Xv, yv, 95, probe, eval_size)
    assert np.array_equal(tr.net.get_flat(), ref_net.get_flat())
    h = tr.history
    assert list(h.loss) == rows["loss"] and list(h.learning_rate) == rows["lr"]
    assert list(zip(h.train_loss, h.train_accuracy, strict=True)) == rows["train"]
    assert list(zip(h.val_loss, h.val_accuracy, strict=True)) == rows["val"]
    assert [list(v) for v in zip(*h.grad_norms.values(), strict=True)] == rows["norms"]
    assert np.array_equal(h.dead_relu, rows["dead"], equal_nan=True)
    assert tr.optimizer.state.keys() == opt.state.keys()
    for key, state in opt.state.items():
        assert all(np.array_equal(tr.optimizer.state[key][k], v) for k, v in state.items())


def test_dead_units_outside_the_evaluated_rows_get_their_own_pass():
    X, y, _, _ = _toy("xor")
    net = Network.mlp([2, 6, 2], activation="relu", output="softmax", seed=0)
    tr = Trainer(net, TrainConfig(eval_every=1), X, y, probe_size=300, eval_size=100)
    tr.run(steps=3)
    assert tr.history.dead_relu[-1] == tr.dead_relu_fraction()


def test_dead_units_are_counted_for_any_activation_that_can_die_not_by_name():
    from nnviz.nn import activations

    @activations.ACTIVATIONS.register("not-an-activation-that-dies")
    class Dies(activations.Tanh):
        can_die = True

    try:
        X, y, _, _ = _toy("xor")
        net = Network.mlp([2, 4, 2], activation="not-an-activation-that-dies", output="softmax")
        net.params["dense0.b"][...] = -100.0  # tanh(-100 + ...) < 0 everywhere: "dead" by its outputs
        tr = Trainer(net, TrainConfig(eval_every=1), X, y)
        assert tr.dead_relu_fraction() == 1.0
        tr.run(steps=1)
        assert list(tr.history.dead_relu) == [1.0]
    finally:
        activations.ACTIVATIONS.unregister("not-an-activation-that-dies")


def test_changing_the_loss_between_chunks_switches_the_fused_gradient():
    X, y, _, _ = _toy("xor")
    net = Network.mlp([2, 6, 1], activation="tanh", output="sigmoid", seed=0)
    tr = Trainer(net, TrainConfig(loss="mse", optimizer="sgd", learning_rate=0.1), X, y)
    tr.run(steps=5)
    assert not tr._fused
    tr.configure(tr.config.replace(loss="binary_cross_entropy"))
    tr.run(steps=5)
    assert tr._fused and tr.step == 10 and tr.diverged is None


def test_a_deep_copied_trainer_goes_on_exactly_like_the_original():
    import copy

    X, y, Xv, yv = _toy("circles")
    tr = Trainer(Network.mlp([2, 6, 2], activation="relu", output="softmax", seed=1),
                 TrainConfig(optimizer="adam", seed=3, batch_size=16), X, y, Xv, yv)
    tr.run(steps=20)
    twin = copy.deepcopy(tr)
    tr.run(steps=20)
    twin.run(steps=20)
    assert np.array_equal(tr.net.get_flat(), twin.net.get_flat())
    assert tr.history.to_dict() == twin.history.to_dict()


def test_eval_size_zero_records_nan_like_before():
    X, y, _, _ = _toy("xor")
    tr = Trainer(Network.mlp([2, 4, 2], activation="relu", output="softmax"), TrainConfig(eval_every=1), X, y,
                 eval_size=0)
    import warnings

    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        tr.run(steps=2)
    assert all(math.isnan(v) for v in tr.history.train_loss + tr.history.train_accuracy)
    assert len(tr.history.dead_relu) == 2 and 0.0 <= tr.history.dead_relu[-1] <= 1.0


def test_a_loss_that_explodes_without_becoming_nan_is_divergence():
    """The issue's case: Spiral, Adam at 30 (or SGD at 10) bounces between 0.7 and 8 and never
    gives NaN. The run stops where the rule sees it, and the banner's step, the step counter and
    the last evaluated point agree."""
    X, y, Xv, yv = _toy("spiral", n=500, noise=0.0)
    for optimizer, lr in (("adam", 30.0), ("sgd", 10.0)):
        net = Network.mlp([2, 4, 4, 2], activation="tanh", output="softmax", seed=0)
        tr = Trainer(net, TrainConfig(optimizer=optimizer, learning_rate=lr, batch_size=10, eval_every=5), X, y, Xv, yv)
        tr.run(steps=2000)
        assert tr.diverged is not None and tr.diverged < 2000
        assert "rose above 3 x its value before training" in tr.diverged_reason
        assert tr.step == tr.diverged == tr.history.eval_steps[-1] == tr.history.steps[-1]
        assert np.all(np.isfinite(net.get_flat()))


def test_healthy_and_disabled_runs_are_not_flagged():
    X, y, Xv, yv = _toy("spiral", n=500, noise=0.0)
    net = Network.mlp([2, 4, 4, 2], activation="tanh", output="softmax", seed=0)
    tr = Trainer(net, TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=10, eval_every=5), X, y, Xv, yv)
    tr.run(steps=1000)
    assert tr.diverged is None and tr.diverged_reason == ""
    net = Network.mlp([2, 4, 4, 2], activation="tanh", output="softmax", seed=0)
    off = Trainer(net, TrainConfig(optimizer="adam", learning_rate=30.0, batch_size=10, eval_every=5, blowup=None),
                  X, y, Xv, yv)
    off.run(steps=200)
    assert off.diverged is None


@pytest.mark.parametrize("recent, expected", [
    ([1.0] * 10, False),                      # never above 3 x 1
    ([1.0] * 9 + [50.0], False),              # one spike
    ([4.0, 1.0] * 5, False),                  # half above, but the latest is not
    ([1.0, 4.0] * 5, True),                   # bouncing, half above, the latest too
    ([4.0] * 9, False),                       # not yet ten measurements
    ([1.0] * 5 + [float("nan")] * 5, True),   # NaN counts as above
])
def test_the_blowup_rule(recent, expected):
    from nnviz.nn.training import exploded
    assert exploded(recent, initial=1.0, blowup=3.0) is expected


def test_an_evaluation_loss_that_overflows_is_divergence():
    """Finite weights whose inference outputs overflow (batch norm's running statistics, used at
    test time only) make an infinite evaluation loss: flagged, not drawn as a gap."""
    from nnviz.nn.layers import BatchNorm, Dense
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = X[:, 0]
    bn = BatchNorm()
    net = Network([Dense(4), bn, Dense(1)], input_shape=(2,), seed=0)
    bn.momentum = 1.0 - 1e-300  # keep the running statistics as set
    net.buffers()["batchnorm0.running_mean"][...] = 1e30
    tr = Trainer(net, TrainConfig(loss="mse", optimizer="sgd", learning_rate=0.01, eval_every=5), X, y)
    tr.run(steps=20)
    assert tr.diverged == 1 and "loss on the training data became infinite" in tr.diverged_reason


def test_a_long_run_keeps_a_bounded_history(monkeypatch):
    """Past MAX_HISTORY entries the older half of the history is thinned: memory stays bounded,
    steps stay increasing, and the newest steps are all there."""
    from nnviz.nn import training

    monkeypatch.setattr(training, "MAX_HISTORY", 40)
    X = np.random.default_rng(0).normal(size=(32, 2))
    y = (X[:, 0] > 0).astype(int)
    tr = Trainer(Network.mlp([2, 4, 2], output="softmax"), TrainConfig(batch_size=8, eval_every=1), X, y)
    tr.run(steps=400)
    h = tr.history
    assert len(h.steps) <= 40 and len(h.eval_steps) <= 40
    assert len(h.loss) == len(h.learning_rate) == len(h.steps)
    assert all(len(getattr(h, k)) == len(h.eval_steps) for k in ("train_loss", "val_loss", "dead_relu"))
    assert all(len(v) == len(h.eval_steps) for v in h.grad_norms.values())
    steps = list(h.steps)
    assert steps == sorted(set(steps)) and steps[0] == 1 and steps[-1] == 400
    assert steps[-10:] == list(range(391, 401))  # the newest steps at full density


def test_thinning_keeps_every_other_older_entry():
    h = training_history(10)
    h.thin(cap=8)
    assert list(h.steps) == [1, 3, 5, 6, 7, 8, 9, 10]
    assert list(h.loss) == [1.0, 3.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    h.thin(cap=8)  # within the cap: nothing changes
    assert len(h.steps) == 8


def training_history(n: int):
    from nnviz.nn.training import History

    h = History()
    for i in range(1, n + 1):
        h.steps.append(i)
        h.loss.append(float(i))
        h.learning_rate.append(0.1)
    return h


def test_set_data_keeps_model_step_history_and_optimizer_and_trains_on_the_new_data():
    X, y, Xv, yv = _toy("circles", n=200)
    net = Network.mlp([2, 6, 2], activation="tanh", output="softmax", seed=1)
    tr = Trainer(net, TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=16, eval_every=5), X, y, Xv, yv)
    tr.run(steps=20)
    weights, optimizer, evals = net.get_flat().copy(), tr.optimizer, len(tr.history.eval_steps)
    X2, y2 = np.array([[1.2, 1.2], [-1.2, -1.2]]), np.array([1, 1])
    tr.set_data(X2, y2)  # no validation set any more
    assert tr.step == 20 and tr.optimizer is optimizer and np.array_equal(net.get_flat(), weights)
    assert len(tr.history.eval_steps) == evals and tr.steps_per_epoch == 1
    tr.run(steps=30)
    assert tr.step == 50 and math.isnan(tr.history.val_loss[-1])
    assert (tr.evaluate(X2, y2)[1]) == 1.0  # it learned the two new points
    with pytest.raises(ValueError, match="training data is empty"):
        tr.set_data(X2[:0], y2[:0])
    with pytest.raises(ValueError, match="give both X_val and y_val"):
        tr.set_data(X2, y2, X_val=X2)
    assert len(tr.X) == 2  # a refused set changes nothing


def test_the_epoch_count_does_not_jump_when_the_data_or_the_batch_size_changes():
    X, y, _, _ = _toy("circles", n=200)
    net = Network.mlp([2, 6, 2], activation="tanh", output="softmax", seed=1)
    tr = Trainer(net, TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=10, eval_every=0), X, y)
    per_epoch = tr.steps_per_epoch
    tr.run(steps=per_epoch)  # one epoch of the first data
    assert tr.epoch == pytest.approx(1.0)
    tr.set_data(X[:20], y[:20])  # 2 steps per epoch now
    assert tr.epoch == pytest.approx(1.0)
    tr.run(steps=4)
    assert tr.epoch == pytest.approx(3.0)
    tr.configure(TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=20, eval_every=0))  # 1 step per epoch
    assert tr.epoch == pytest.approx(3.0)
    tr.run(steps=1)
    assert tr.epoch == pytest.approx(4.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_one_pass_gradient_check_decides_as_the_per_array_squared_norms(dtype):
    """The trainer's per-step check (one pass over the packed gradients; where that total
    overflows, each array's squared norm added as Python floats) against the rule it replaces:
    the per-array squared norms' sum is finite. In float32 two arrays each near the largest
    square overflow the packed total but not the Python sum."""
    net = Network.mlp([2, 4, 2], output="softmax", dtype=dtype)
    big = math.sqrt(np.finfo(dtype).max) * 0.8  # squared: 0.64 x the largest value
    first, second = list(net.grads.values())[:2]

    def per_array() -> bool:
        return math.isfinite(sum(float(np.vdot(g, g)) for g in net.grads.values()))

    cases = [{}, {(0, 0): big}, {(0, 0): big, (1, 0): big}, {(0, 0): big, (0, 1): big},
             {(1, 0): np.nan}, {(0, 2): np.inf}, {(0, 0): 3.0, (1, 1): -2.0}]
    decisions = []
    with np.errstate(over="ignore", invalid="ignore"):
        for case in cases:
            net.packed_grads[:] = 0
            for (array, index), value in case.items():
                (first, second)[array].flat[index] = value
            assert finite_gradient(net) == per_array(), case
            decisions.append(finite_gradient(net))
        if dtype == np.float32:  # the case the fallback is for: the packed total overflowed
            net.packed_grads[:] = 0
            first.flat[0] = second.flat[0] = big
            assert not np.isfinite(np.vdot(net.packed_grads, net.packed_grads)) and finite_gradient(net)
    assert decisions[0] and decisions[1] and decisions[-1] and not decisions[4] and not decisions[5]
