"""Helpers for the Keras/TensorFlow course notebooks."""

__version__ = "0.1.0"
