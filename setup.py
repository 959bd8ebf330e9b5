"""The package list of the one import package, featreuse (the metadata is in pyproject.toml).

The repository's solvers/, nets/ and analysis/ folders install as featreuse.solvers,
featreuse.nets and featreuse.analysis (setuptools' package_dir mapping); no other
top-level name is installed (docs/architecture.md).
"""
from setuptools import find_packages, setup

LAYERS = ("solvers", "nets", "analysis")

setup(
    packages=["featreuse"] + [f"featreuse.{name}"
                              for name in find_packages(include=[f"{layer}*" for layer in LAYERS])],
    package_dir={"featreuse": "featreuse", **{f"featreuse.{layer}": layer for layer in LAYERS}},
)
