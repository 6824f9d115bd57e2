"""The shipped default digit model: ``weights/digits_cnn.npz`` and the JSON note beside it.

``load_default_model()`` loads the weights (trained by ``python -m nnviz.labs.digits.train``)
once per process and path; its arrays are read-only, so one instance can be shared by every
user of a server.
"""

from __future__ import annotations

import functools
import io
import json
import os
from pathlib import Path
from typing import Any

from nnviz.labs.digits.model import DigitModel

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "digits_cnn.npz"
DEFAULT_NOTE = WEIGHTS_DIR / "digits_cnn.json"
REPRODUCE = "python -m nnviz.labs.digits.train --data ../shared/data/mnist --out nnviz/labs/digits/weights/digits_cnn.npz"


class DefaultModelMissing(FileNotFoundError):
    """The shipped weights file is missing; the message says how to recreate it."""


def default_model_info(note: str | os.PathLike = DEFAULT_NOTE) -> dict[str, Any]:
    """The note written beside the weights (command, seed, data, measured accuracy); {} if none."""
    try:
        return json.loads(Path(note).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


@functools.lru_cache(maxsize=4)
def _load_default(path: str) -> DigitModel:
    file = Path(path)
    if not file.is_file():
        raise DefaultModelMissing(
            f"the default digit model {file} is missing; recreate it with: {REPRODUCE}"
        )
    model = DigitModel.load(io.BytesIO(file.read_bytes()), name="default model")
    model.info = default_model_info(file.with_suffix(".json"))
    return model.freeze()


def load_default_model(path: str | os.PathLike | None = None) -> DigitModel:
    """The shipped digit model (read-only, loaded once per process and path)."""
    return _load_default(str(Path(path) if path is not None else DEFAULT_WEIGHTS))
