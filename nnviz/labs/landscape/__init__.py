"""Loss landscapes of a real network: directions, 1D/2D loss slices, trajectories projected on a plane.

The picture is the loss at ``theta + a * d1 + b * d2`` for the network's weights ``theta`` and two
directions in weight space (dicts keyed like ``net.params``). Directions come either from random
Gaussians, filter-normalized as in Li et al. 2018 ("Visualizing the Loss Landscape of Neural
Nets"), or from PCA of the weights visited during training, so the optimizer's path lies (as far
as any plane allows) in the picture. Every evaluation leaves the network's weights unchanged.

One concept per module:

- ``directions``: random directions and planes, filter norms, flat vectors <-> dicts
- ``evaluation``: loss and accuracy at many points of weight space at once (the batched evaluator)
- ``grids``: 1D and 2D loss grids, interpolation between two networks (``Line``, ``Grid``)
- ``runs``: training runs with weight snapshots, compared from one start (``TrainingRun``)
- ``paths``: the PCA plane of the runs' paths, the loss on it, each path projected (``PathLandscape``)
- ``slices``: per-run views, a random slice around each run's minimum and its init-to-final line
- ``setup``: the page's experiment (``Setup``, ``Task``), its data, network and training configs

    from nnviz.labs.landscape import random_direction, loss_grid_2d
    d1 = random_direction(net, seed=1, normalization="filter")  # dict keyed like net.params
    a, b, Z = loss_grid_2d(net, loss, X, y, d1, d2, span=1.0, resolution=21)
"""

from nnviz.labs.landscape.directions import random_direction, random_plane
from nnviz.labs.landscape.grids import loss_grid_1d, loss_grid_2d

__all__ = ["loss_grid_1d", "loss_grid_2d", "random_direction", "random_plane"]
