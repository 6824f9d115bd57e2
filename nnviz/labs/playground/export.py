"""Downloads of a playground run: the experiment and its history as JSON or CSV, the model as .npz."""

from __future__ import annotations

import json

from nnviz.labs import share
from nnviz.labs.playground.link import to_query
from nnviz.labs.playground.run import Run


def export_json(run: Run) -> str:
    """The experiment, its link parameters and the whole history as JSON (NaN/inf as null)."""
    doc = {
        "format": "nnviz-playground-run", "version": 1,
        "experiment": run.experiment.to_dict(), "query": to_query(run.experiment),
        "step": run.step, "epoch": run.epoch, "diverged_at": run.diverged,
        "n_params": run.net.n_params, "network": run.net.config(),
        "history": run.history.to_dict(),
    }
    return json.dumps(share.json_safe(doc), indent=1)


def export_csv(run: Run) -> str:
    """The history, one row per step (evaluation columns on evaluation steps)."""
    return run.history.to_csv()


def model_bytes(run: Run) -> bytes:
    """The trained network as .npz (``Network.load`` reads it back)."""
    return run.net.to_bytes()
