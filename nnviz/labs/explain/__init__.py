"""Step-by-step numbers for the functions and backpropagation pages, computed by the engine.

Everything here runs the engine's own activations, losses, initializers, network, optimizer and
gradient check; the pages only show what these modules return.

- ``numbers``: parsing typed numbers; formatting for LaTeX and plain text.
- ``neuron``: one neuron's forward pass, chain rule and SGD step; the notes' worked examples
  and their common slips (Backpropagation page).
- ``tiny_network``: a 2-2-1 or 2-2-2 MLP with every forward value and gradient, and its backward
  pass in six stages (Backpropagation page).
- ``gradient_check``: the tiny network's backprop against finite differences.
- ``functions``: activation curves, vanishing gradients, initialization, loss curves, softmax
  (Functions page).
"""
