"""The package namespace: submodules and functions on first access, nothing heavy up front."""
import pkgutil
import subprocess
import sys

import pytest

from featreuse import solvers


def _run(code):
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_convex_is_imported_on_first_access_only():
    _run("import sys\n"
         "from featreuse import solvers\n"
         "assert 'cvxpy' not in sys.modules, 'import solvers imported cvxpy'\n"
         "solvers.convex.min_l1\n"
         "assert 'cvxpy' in sys.modules\n"
         "assert sys.modules['featreuse.solvers.convex'] is solvers.convex\n")


def test_the_errors_module_imports_no_numerical_library():
    _run("import sys, featreuse, featreuse.errors, featreuse.validation\n"
         "heavy = {'numba', 'scipy', 'cvxpy', 'torch'} & set(sys.modules)\n"
         "assert not heavy, heavy\n")


def test_functions_and_submodules_resolve_and_unknown_names_raise():
    from featreuse.solvers.saddle_path import SaddlePath
    from featreuse.solvers.train import train_single
    assert solvers.train_single is train_single
    assert callable(solvers.saddle_path) and solvers.SaddlePath is SaddlePath
    assert solvers.saddle_path is not sys.modules["featreuse.solvers.saddle_path"]  # the function
    on_disk = {m.name for m in pkgutil.iter_modules(solvers.__path__)}
    assert on_disk <= set(dir(solvers)) and {"convex", "multi_flow"} <= on_disk
    assert solvers.multi_flow is sys.modules["featreuse.solvers.multi_flow"]
    for name in solvers.__all__:
        assert getattr(solvers, name) is not None
    with pytest.raises(AttributeError, match="module 'featreuse.solvers' has no attribute 'no_such_module'"):
        solvers.no_such_module
    assert not hasattr(solvers, "cvxpy")


def test_solvers_import_neither_torch_nor_nets_nor_analysis():
    """solvers is numpy + numba + scipy + cvxpy (docs/architecture.md): no torch anywhere in it."""
    import ast
    import pathlib
    root = pathlib.Path(solvers.__file__).parent
    bad = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            bad += [f"{path.relative_to(root)}: {n}" for n in names
                    if n.split(".")[0] == "torch"
                    or n.startswith(("featreuse.nets", "featreuse.analysis"))]
    assert not bad, bad
