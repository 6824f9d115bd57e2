"""The engine: layers, activations, losses, optimizers, networks and training, in NumPy."""
