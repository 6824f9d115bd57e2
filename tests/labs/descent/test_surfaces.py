"""Surfaces: analytic gradients against finite differences, listed minima, vectorized evaluation,
numerical hygiene at the domain edges, and validation. Parametrized over ``surfaces.names()``,
so a newly registered surface is tested without touching this file."""

from __future__ import annotations

import itertools
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from nnviz.labs.descent import surfaces
from nnviz.labs.descent.surfaces import SURFACES, Surface

NAMES = surfaces.names()
#: Non-default parameters, to check that the gradient follows the parameters too.
VARIANTS = [
    ("quadratic", {"curvature": 3.7}),
    ("bowl", {"condition": 100.0}),
    ("bowl", {"condition": 0.25}),
    ("rosenbrock", {"b": 10.0}),
    ("rastrigin", {"A": 3.0}),
    ("rastrigin", {"A": 0.0}),
]
ALL = [(n, {}) for n in NAMES] + VARIANTS
ALL_IDS = [n + "".join(f"-{k}={v:g}" for k, v in p.items()) for n, p in ALL]


def _random_points(s: Surface, n: int, seed: int) -> np.ndarray:
    """n points drawn uniformly inside the domain (a 2% margin from the edges)."""
    b = s.bounds()
    lo, hi = b[:, 0], b[:, 1]
    margin = 0.02 * (hi - lo)
    return np.random.default_rng(seed).uniform(lo + margin, hi - margin, size=(n, s.dim))


def _fd_grad(s: Surface, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.empty(s.dim)
    for i in range(s.dim):
        e = np.zeros(s.dim)
        e[i] = h
        g[i] = (s.value(p + e) - s.value(p - e)) / (2 * h)
    return g


def _corners(s: Surface) -> list[tuple[float, ...]]:
    return list(itertools.product(*s.bounds()))


# ---- registry --------------------------------------------------------------------------------


def test_registry_lists_the_surfaces_in_order() -> None:
    assert len(NAMES) >= 10
    assert NAMES[:4] == ["quadratic", "double_well", "ripples", "plateau_cliff"]
    expected_2d = [
        "bowl",
        "rosenbrock",
        "beale",
        "himmelblau",
        "saddle",
        "monkey_saddle",
        "rastrigin",
        "ackley",
        "six_hump_camel",
    ]
    assert NAMES[4:13] == expected_2d
    assert surfaces.names_by_dim(1)[:4] == NAMES[:4]
    assert surfaces.names_by_dim(1) == [n for n in NAMES if SURFACES.get(n).dim == 1]
    assert surfaces.names_by_dim(2)[:9] == expected_2d
    assert sorted(surfaces.names_by_dim(1) + surfaces.names_by_dim(2)) == sorted(NAMES)


def test_unknown_name_and_dim_raise_listing_the_known_ones() -> None:
    with pytest.raises(ValueError, match="rosenbrock"):
        surfaces.get("nope")
    with pytest.raises(ValueError, match="3"):
        surfaces.names_by_dim(3)
    assert surfaces.get(" Rosenbrock ") == surfaces.get("rosenbrock")


# ---- facts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_facts_are_complete(name: str) -> None:
    s = surfaces.get(name)
    assert isinstance(s, Surface) and s.name == name
    assert s.dim in (1, 2)
    assert s.label and s.latex and s.description
    assert "\n" not in s.description
    b = s.bounds()
    assert b.shape == (s.dim, 2) and np.all(b[:, 0] < b[:, 1])
    if s.dim == 1:
        assert len(s.domain) == 2 and all(isinstance(v, float) for v in s.domain)
    else:
        assert len(s.domain) == 2 and all(len(iv) == 2 for iv in s.domain)
    assert isinstance(s.log_color, bool)
    assert isinstance(s.minima, list)
    assert s.params == {k: spec[0] for k, spec in s.hyperparams.items()}
    for default, low, high, help_ in s.hyperparams.values():
        assert low <= default <= high and help_
    assert s.lipschitz is None or s.lipschitz > 0
    if s.minima:
        assert s.min_value is not None
    if s.log_color:  # a log colour scale needs f >= 0 over the domain
        _, _, Z = s.grid(41)
        assert Z.min() >= 0


@pytest.mark.parametrize("name", NAMES)
def test_default_start_is_in_the_domain_and_not_a_minimum(name: str) -> None:
    s = surfaces.get(name)
    assert len(s.default_start) == s.dim
    assert s.in_domain(s.default_start)
    assert np.linalg.norm(s.grad(np.array(s.default_start))) > 1e-3


# ---- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), ALL, ids=ALL_IDS)
def test_gradient_matches_central_differences(name: str, params: dict[str, float]) -> None:
    s = surfaces.get(name, **params)
    for p in _random_points(s, 6, seed=len(name)):
        np.testing.assert_allclose(s.grad(p), _fd_grad(s, p), rtol=1e-5, atol=1e-6, err_msg=f"{name} at {p}")


CONSTANT_L = [(n, p) for n, p in ALL if surfaces.get(n, **p).lipschitz is not None]


@pytest.mark.parametrize(("name", "params"), CONSTANT_L, ids=[ALL_IDS[ALL.index(c)] for c in CONSTANT_L])
def test_lipschitz_is_the_largest_hessian_eigenvalue_where_given(name: str, params: dict[str, float]) -> None:
    s = surfaces.get(name, **params)
    h = 1e-5
    for p in _random_points(s, 3, seed=1):
        H = np.stack([(s.grad(p + h * e) - s.grad(p - h * e)) / (2 * h) for e in np.eye(s.dim)])
        assert np.linalg.eigvalsh(0.5 * (H + H.T)).max() == pytest.approx(s.lipschitz, rel=1e-6)


def test_quadratic_and_bowl_lipschitz() -> None:
    assert surfaces.get("quadratic").lipschitz == 1.0
    assert surfaces.get("quadratic", curvature=4).lipschitz == 4.0
    assert surfaces.get("bowl").lipschitz == 10.0
    assert surfaces.get("bowl", condition=100).lipschitz == 100.0
    assert surfaces.get("bowl", condition=0.5).lipschitz == 1.0
    assert surfaces.get("quadratic", curvature=2.5).curvature == 2.5
    assert surfaces.get("bowl", condition=50).condition == 50.0


def test_ackley_gradient_at_the_origin_is_zero() -> None:
    s = surfaces.get("ackley")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        g = s.grad(np.zeros(2))
        assert s.value(np.zeros(2)) == 0.0
    np.testing.assert_array_equal(g, [0.0, 0.0])
    grid = s.grad(np.zeros((3, 2)))  # the tip inside a vectorized call
    assert np.all(np.isfinite(grid)) and np.all(grid == 0.0)


# ---- minima ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_listed_minima_are_stationary_local_minima(name: str) -> None:
    s = surfaces.get(name)
    if not s.minima:
        assert name in ("saddle", "monkey_saddle") or s.min_value is None
        return
    directions = [np.array(d, float) for d in itertools.product((-1.0, 0.0, 1.0), repeat=s.dim) if any(d)]
    for m in s.minima:
        p = np.array(m, dtype=np.float64)
        assert p.shape == (s.dim,)
        assert s.in_domain(p), f"{name}: minimum {m} outside the domain"
        assert np.linalg.norm(s.grad(p)) < 1e-4, f"{name}: gradient at {m} is {s.grad(p)}"
        f0 = s.value(p)
        for r in (1e-3, 1e-2):
            for d in directions:
                assert s.value(p + r * d) > f0, f"{name}: {m} is not a local minimum (direction {d}, r={r})"
    values = [s.value(np.array(m)) for m in s.minima]
    assert values[0] == pytest.approx(s.min_value, abs=1e-9), f"{name}: first listed minimum is not the global one"
    assert min(values) >= s.min_value - 1e-9


def test_known_minima_values() -> None:
    assert surfaces.get("rosenbrock").value(np.array([1.0, 1.0])) == 0.0
    assert surfaces.get("beale").value(np.array([3.0, 0.5])) == 0.0
    hb = surfaces.get("himmelblau")
    assert len(hb.minima) == 4
    for m in hb.minima:
        assert hb.value(np.array(m)) < 1e-20
    camel = surfaces.get("six_hump_camel")
    assert camel.minima[0] == pytest.approx((0.0898, -0.7126), abs=1e-4)
    assert camel.minima[1] == pytest.approx((-0.0898, 0.7126), abs=1e-4)
    assert camel.value(np.array(camel.minima[0])) == pytest.approx(-1.0316284535, abs=1e-9)
    assert surfaces.get("saddle").minima == [] and surfaces.get("monkey_saddle").minima == []
    assert len(surfaces.get("ripples").minima) >= 3


# ---- vectorized evaluation -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_f_on_a_meshgrid_matches_pointwise_value_and_grad(name: str) -> None:
    s = surfaces.get(name)
    b = s.bounds()
    if s.dim == 1:
        x = np.linspace(*b[0], 7).reshape(7, 1) * np.ones((1, 3))  # any shape works
        Z = s.f(x)
        assert Z.shape == x.shape and Z.dtype == np.float64
        P = x[..., None]
    else:
        X, Y = np.meshgrid(np.linspace(*b[0], 7), np.linspace(*b[1], 5))
        Z = s.f(X, Y)
        assert Z.shape == X.shape == (5, 7) and Z.dtype == np.float64
        np.testing.assert_allclose(s.f(X[:1], Y[:, :1]), Z)  # broadcasting, no meshgrid needed
        P = np.stack([X, Y], axis=-1)
    expected = np.array([s.value(p) for p in P.reshape(-1, s.dim)]).reshape(Z.shape)
    np.testing.assert_allclose(Z, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.values(P), expected, rtol=1e-12, atol=1e-12)
    G = s.grad(P)
    assert G.shape == P.shape
    expected_g = np.array([s.grad(p) for p in P.reshape(-1, s.dim)]).reshape(P.shape)
    np.testing.assert_allclose(G, expected_g, rtol=1e-12, atol=1e-12)
    assert isinstance(s.value(P.reshape(-1, s.dim)[0]), float)


@pytest.mark.parametrize("name", NAMES)
def test_grid_samples_the_domain(name: str) -> None:
    s = surfaces.get(name)
    out = s.grid(11)
    assert len(out) == s.dim + 1
    assert out[-1].shape == (11,) * s.dim
    assert np.all(np.isfinite(out[-1]))


# ---- numerical hygiene -----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_warnings_and_finite_values_at_the_domain_corners(name: str) -> None:
    s = surfaces.get(name)
    pts = [np.array(c, dtype=np.float64) for c in _corners(s)]
    pts += [np.zeros(s.dim), np.array(s.default_start, dtype=np.float64)]
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for p in pts:
            assert np.isfinite(s.value(p)), f"{name}: f{tuple(p)} not finite"
            assert np.all(np.isfinite(s.grad(p))), f"{name}: grad{tuple(p)} not finite"
        _, *rest = s.grid(51)
        assert np.all(np.isfinite(rest[-1]))


@pytest.mark.parametrize("name", NAMES)
def test_diverged_points_give_non_finite_or_large_values_silently(name: str) -> None:
    """A diverging run walks far out: the surface answers (maybe inf/nan), without warnings."""
    s = surfaces.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for p in (np.full(s.dim, 1e200), np.full(s.dim, -1e200), np.full(s.dim, np.inf), np.full(s.dim, np.nan)):
            s.value(p)
            assert s.grad(p).shape == (s.dim,)


# ---- validation ------------------------------------------------------------------------------


def test_bad_params_raise_naming_the_value() -> None:
    with pytest.raises(ValueError, match="condition.*-1"):
        surfaces.get("bowl", condition=-1)
    with pytest.raises(ValueError, match="curvature.*0"):
        surfaces.get("quadratic", curvature=0)
    with pytest.raises(ValueError, match="nan"):
        surfaces.get("quadratic", curvature=float("nan"))
    with pytest.raises(ValueError, match="'abc'"):
        surfaces.get("bowl", condition="abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kappa"):
        surfaces.get("bowl", kappa=3)
    with pytest.raises(ValueError, match="none"):
        surfaces.get("beale", b=3)


@pytest.mark.parametrize("name", NAMES)
def test_points_of_the_wrong_shape_raise(name: str) -> None:
    s = surfaces.get(name)
    wrong = np.zeros(s.dim + 1)
    with pytest.raises(ValueError, match=r"shape"):
        s.value(wrong)
    with pytest.raises(ValueError, match=r"shape"):
        s.grad(wrong)
    with pytest.raises(ValueError, match=r"shape"):
        s.grad(np.zeros((4, s.dim + 1)))
    with pytest.raises(ValueError, match=r"shape"):
        s.grad(np.float64(0.0))
    with pytest.raises(ValueError, match=r"shape"):
        s.value(np.zeros((2, s.dim)))
    with pytest.raises(ValueError, match=r"shape"):
        s.values(np.zeros((3, s.dim + 1)))


def test_surfaces_are_immutable_values() -> None:
    s = surfaces.get("bowl", condition=20)
    with pytest.raises(AttributeError):
        s.condition = 5.0  # type: ignore[misc]
    assert s == surfaces.get("bowl", condition=20.0)
    assert s != surfaces.get("bowl")
    assert hash(s) == hash(surfaces.get("bowl", condition=20))
    assert "condition=20" in repr(s)
    s.minima.append((9.0, 9.0))  # a copy: the surface is unchanged
    assert s.minima == [(0.0, 0.0)]


def test_every_registered_class_declares_its_dimension() -> None:
    for name in NAMES:
        cls = SURFACES.get(name)
        assert cls.dim in (1, 2) and cls.name == name


def test_engine_module_does_not_import_streamlit_or_plotly() -> None:
    code = "import sys, nnviz.labs.descent.surfaces; assert not {'streamlit', 'plotly'} & set(sys.modules), sys.modules.keys()"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])
