"""The playground: train a small network on 2D data and watch it learn.

- ``experiment``: ``Experiment`` (every setting of a run, validated) and which loss and output fit
  which task.
- ``run``: ``Data``, ``Run``, ``build``; ``update``/``diff``/``apply_live`` apply a changed
  experiment live or by a reset.
- ``views``: the decision surface, neuron maps, weights, histograms, gradient norms, curves.
- ``frames``: a tick's training as a batch of frames (uint8 surfaces and thumbnails, metrics,
  weights), packed into one binary blob for the live view.
- ``compare``: copies of one network from the same weights, one setting varied.
- ``link``: the URL state codec (``to_query``/``from_query``).
- ``export``: JSON, CSV and .npz downloads.
"""
