"""Torch networks (ReLU, deep). Filled in by later work; never imports solvers or analysis."""
