"""The Sequences page's lab: a simple RNN (note 002) trained live on toy sequence tasks.

``experiment`` holds every setting, validated; ``run`` builds the network, trains it by
backpropagation through time and measures what the page shows (hidden states, the gradient that
reaches each earlier step, one step's numbers). NumPy only.
"""
