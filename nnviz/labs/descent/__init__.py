"""The gradient-descent lab: the optimizers of ``nnviz.nn.optimizers`` drive one point on a surface.

``from nnviz.labs.descent import run``: ``run(surface, optimizer, start, steps) -> Trajectory``,
``race(surface, specs, start, steps)`` with ``RunSpec``s. The modules, by concept:

- ``surfaces``: the test functions f (1D and 2D) with analytic gradients and their minima.
- ``runs``: what to run (``RunSpec``), what a run gives (``Trajectory``), ``run`` and ``race``,
  divergence as a result, reading a run (``status``, distance to the nearest minimum).
- ``stability``: learning rates against the stability limits the optimizer classes declare,
  the curvature of a surface, divergence thresholds, the page's learning-rate grid.
- ``presets``: the page's two presets, the learning-rate ladder and the optimizers compared.
"""

from nnviz.labs.descent.runs import RunSpec, Trajectory, race, run

__all__ = ["RunSpec", "Trajectory", "race", "run"]
