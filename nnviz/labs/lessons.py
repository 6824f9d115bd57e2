"""One-click lessons tied to the source notes: each opens a page in the right state (its link),
says what to look at and asks one question.

A ``Lesson``'s ``settings`` are the page's own link (query parameters, as the page's codec in
``nnviz/labs/<page>/`` writes them), so opening a lesson is opening a link, and the tests read every
lesson's link back through its page's codec (no problem reported). ``hide`` names the controls
class mode hides (by their query keys): the lesson's page then shows only what the lesson is about.

What a lesson's text states is measured by ``tests/labs/test_lessons.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nnviz.labs import share
from nnviz.labs.playground import presets
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.link import DATA_QUERY_KEYS
from nnviz.labs.playground.link import to_query as playground_query


@dataclass(frozen=True)
class Lesson:
    """One lesson: the page it opens (slug), that page's link, and the text shown above it."""

    slug: str
    title: str
    page: str
    source: str  # which source note it comes from
    settings: Mapping[str, str]
    look_at: str  # markdown: what to do and what to watch
    question: str  # one question to think about
    hide: tuple[str, ...] = field(default=())  # query keys of the controls class mode hides

    def query(self, class_mode: bool = False) -> dict[str, str]:
        """The lesson's link: the page's settings, the lesson's name, and in class mode the hide list."""
        q = {**self.settings, "lesson": self.slug}
        if class_mode and self.hide:
            q["hide"] = share.join(self.hide)
        return q


def _playground(**settings) -> dict[str, str]:
    return playground_query(Experiment(**settings))


_LESSONS: tuple[Lesson, ...] = (
    Lesson(
        slug="learning-rate",
        title="Learning rate: too small, right, too large",
        page="descent",
        source="note 001 (gradient descent, its figure 5)",
        settings={"dim": "1", "surface": "quadratic", "start": "2.5", "steps": "50", "preset": "none",
                  "runs": "sgd:0.05,sgd:0.8,sgd:1.5,sgd:2.5"},
        look_at=(
            "Four runs of b = a − α f′(a) on f(x) = x²/2 from x = 2.5, with α = 0.05, 0.8, 1.5 and 2.5. "
            "At **0.05** the steps shrink with the slope and the run is still crawling after 50 steps. "
            "At **0.8** it is at the minimum within a few steps. At **1.5** every step jumps over the "
            "minimum and back, yet lands closer each time (a zigzag that converges). At **2.5** each jump "
            "lands farther out: it diverges."
        ),
        question="On f(x) = x²/2 one step maps x to (1 − α)x: for which α does that shrink x, and why is 2 the limit?",
        hide=("dim", "surface", "sp", "preset", "ladder", "tol", "vel", "scale"),
    ),
    Lesson(
        slug="momentum",
        title="Momentum on an elongated bowl",
        page="descent",
        source="note 003 (momentum)",
        settings={"dim": "2", "surface": "bowl", "sp": "condition:10", "start": "-2.5,2", "steps": "200",
                  "preset": "none", "runs": "sgd:0.18,sgd:0.25,momentum:2"},
        look_at=(
            "The bowl is 10 times steeper across than along. Plain SGD at **0.18** zigzags across the "
            "valley; at **0.25** the zigzag grows and it diverges (its limit here is 2 divided by the "
            "steep curvature, 0.2). Momentum, v = βv + (1 − β)g with β = 0.9, runs at **2**, ten times "
            "SGD's limit, and converges: turn on **velocity** to see the averaged step."
        ),
        question=("Momentum at 2 takes more steps than SGD at 0.18: what does averaging the gradients buy, "
                  "if not speed here?"),
        hide=("dim", "surface", "sp", "start", "preset", "ladder", "tol", "scale"),
    ),
    Lesson(
        slug="adam-rosenbrock",
        title="Adam against SGD on Rosenbrock's valley",
        page="descent",
        source="note 003 (Adam, RMSprop)",
        settings={"dim": "2", "surface": "rosenbrock", "sp": "b:100", "start": "-1.5,2", "steps": "1000",
                  "preset": "none", "runs": "sgd:0.002,sgd:0.003,adam:0.1"},
        look_at=(
            "Rosenbrock's valley is narrow and curved, its walls hundreds of times steeper than its floor. "
            "SGD at **0.002** creeps along the floor; at **0.003** it diverges within 5 steps. Adam at "
            "**0.1**, fifty times larger, divides each coordinate's step by its own gradient size and "
            "reaches the minimum at (1, 1)."
        ),
        question="Why can Adam use a learning rate that makes SGD blow up at once?",
        hide=("dim", "surface", "sp", "start", "preset", "ladder", "tol", "vel", "scale"),
    ),
    Lesson(
        slug="vanishing-gradients",
        title="Vanishing gradients: sigmoid against ReLU",
        page="functions",
        source="note 002 (vanishing gradients)",
        settings={"tab": "vanishing", "chain": "sigmoid,relu", "n": "20", "cw": "1", "a0": "0.5"},
        look_at=(
            "Backpropagation multiplies one derivative per layer. The sigmoid's derivative is at most "
            "0.25, so after **20 sigmoid layers** the product is about 1e-13: the first layers learn "
            "nothing. ReLU's derivative is 1 where it is active, and the product stays 1. Move the "
            "weight slider: where does the sigmoid's product stop shrinking?"
        ),
        question="If every weight were 4, would sigmoid layers still shrink the gradient? (Try it.)",
        hide=("iact", "inits", "idepth", "iwidth", "bnact", "bninit", "bndepth", "bnwidth"),
    ),
    Lesson(
        slug="dead-relus",
        title="Dead ReLUs",
        page="playground",
        source="notes 000 and 003 (ReLU)",
        settings=_playground(dataset="spiral", activation="relu", hidden=(8, 8), init="he_normal",
                             optimizer="sgd", learning_rate=1.0),
        look_at=(
            "Two layers of 8 ReLUs learn the spiral with plain SGD at learning rate **1**. Press **Play**, "
            "then open the **Diagnostics** view under the surface: within a few hundred steps most hidden "
            "units are dead (the share of dead ReLUs climbs past a half), and their thumbnails in the "
            "network view go flat. Reset with learning rate 0.03: none die."
        ),
        question=("A ReLU that outputs 0 for every point gets a gradient of 0 for every point: what could "
                  "ever bring it back? (Try leaky ReLU at learning rate 1.)"),
        hide=DATA_QUERY_KEYS + ("preset", "bn", "l1", "l2", "drop", "loss", "out", "batch"),
    ),
    Lesson(
        slug="overfitting",
        title="Overfitting, L2 and dropout",
        page="playground",
        source="note 002 (L2, dropout)",
        settings=playground_query(presets.get("overfitting").experiment),
        look_at=presets.get("overfitting").look_at,
        question=presets.get("overfitting").question,
        hide=("preset", "data", "feat", "seed", "bn", "init", "loss", "out", "opt", "batch", "l1"),
    ),
    Lesson(
        slug="softmax-cross-entropy",
        title="Softmax and cross-entropy by hand",
        page="backprop",
        source="note 003 (worked example 3)",
        settings={"tab": "neuron", "ex": "softmax_ce"},
        look_at=(
            "The note's third worked example, computed: inputs 1 and 2, weights 0.3 and −0.2, the "
            "second class true. The logits are (0.3, −0.4), softmax gives (0.6682, 0.3318) (the note "
            "writes 0.645 and 0.355), the loss is −log 0.3318 = 1.1032, and the gradient of each logit "
            "is simply p − y. Follow the forward pass, the chain rule and the update step by step."
        ),
        question="Why does dL/dz come out as p − y, with no softmax derivative left in it?",
        hide=("ex", "act", "loss"),
    ),
    Lesson(
        slug="initialization",
        title="Why initialization matters",
        page="functions",
        source="note 003 (weight initialization)",
        settings={"tab": "vanishing", "iact": "relu", "inits": "zeros,random_normal,xavier_uniform,he_normal",
                  "idepth": "20", "iwidth": "64"},
        look_at=(
            "The same 20-layer ReLU network before any training, under four initializers. **Zeros**: "
            "every unit computes the same thing and no gradient reaches the weights. **Small random "
            "normal** weights: the signal shrinks at every layer, to about 1e-24 by layer 20. **Xavier** "
            "(made for tanh and sigmoid) still loses it with ReLU, to about 1e-3. **He** keeps it near "
            "0.3 all the way."
        ),
        question="ReLU zeroes half of its inputs: by how much must He scale the weights to make up for it?",
        hide=("chain", "n", "cw", "a0", "bnact", "bninit", "bndepth", "bnwidth"),
    ),
)

LESSONS: dict[str, Lesson] = {lesson.slug: lesson for lesson in _LESSONS}


def get(slug: str) -> Lesson:
    """The lesson called ``slug``; ``ValueError`` naming it and the known ones otherwise."""
    try:
        return LESSONS[slug]
    except KeyError:
        raise ValueError(f"unknown lesson {slug!r}; known: {', '.join(LESSONS)}") from None
