"""Data: toy 2D sets, IDX files and MNIST, canvas preprocessing, augmentation."""
