"""The house rules, tested: one import name, layers that import one way, no circles, small files."""
import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("featreuse", "solvers", "nets", "analysis")
#: what each layer may import from featreuse (the face is featreuse/ itself)
ALLOWED = {"featreuse": {"featreuse"},
           "solvers": {"featreuse", "solvers"},
           "nets": {"featreuse", "nets"},
           "analysis": {"featreuse", "solvers", "nets", "analysis"}}
MAX_LINES = 500


def _modules():
    """``{dotted name: path}`` of every module of the installed package."""
    out = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT / layer).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            prefix = ["featreuse"] if layer == "featreuse" else ["featreuse", layer]
            out[".".join(prefix + parts)] = path
    return out


MODULES = _modules()


def _layer(dotted):
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS[1:] else "featreuse"


def _imports(dotted, path):
    """The featreuse modules ``dotted`` imports (absolute and relative, at any depth)."""
    tree = ast.parse(path.read_text())
    package = dotted if path.name == "__init__.py" else dotted.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "featreuse"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "featreuse":
                continue
            for alias in node.names:  # "from x import y": y may be a module
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in MODULES else module)
    return {m for m in found if m in MODULES and m != dotted}


def test_only_featreuse_is_installed_and_no_generic_name_is_importable(tmp_path):
    code = textwrap.dedent("""
        import importlib.util, featreuse
        for name in ("solvers", "nets", "analysis"):
            assert importlib.util.find_spec(name) is None, name
        print(featreuse.__file__)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.returncode == 0, out.stderr


def test_the_documented_api_works_beside_a_users_own_analysis_solvers_and_nets(tmp_path):
    # a research folder with its own analysis.py, solvers/ and nets.py
    (tmp_path / "analysis.py").write_text("raise RuntimeError('the user analysis.py')\n")
    (tmp_path / "solvers").mkdir()
    (tmp_path / "solvers" / "__init__.py").write_text("raise RuntimeError('the user solvers')\n")
    (tmp_path / "nets.py").write_text("raise RuntimeError('the user nets.py')\n")
    code = textwrap.dedent("""
        import numpy as np
        import featreuse as fr
        from featreuse.solvers import convex
        X = np.random.default_rng(0).standard_normal((8, 20)); y = X[:, 0]
        r = fr.train_single(X, y, init=1e-3, method="flow")
        assert r.converged and np.allclose(X @ r.beta, y, atol=1e-4)
        assert fr.InputError is fr.solvers.InputError is fr.nets.InputError
        print(len(fr.load.__doc__) > 0, fr.analysis.__name__)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert "featreuse.analysis" in out.stdout


def test_layers_import_one_way():
    bad = []
    for dotted, path in MODULES.items():
        layer = _layer(dotted)
        for target in _imports(dotted, path):
            if _layer(target) not in ALLOWED[layer]:
                bad.append(f"{dotted} -> {target}")
    assert not bad, bad


def test_the_import_graph_has_no_cycle():
    graph = {m: _imports(m, p) for m, p in MODULES.items()}
    # a package's __init__ re-exporting its own submodules is not a cycle of concepts
    for m in graph:
        graph[m] = {t for t in graph[m] if not (MODULES[t].name == "__init__.py"
                                                 and m.startswith(t + "."))}
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles[:5]


def test_every_module_imports_alone():
    # each module is imported with no featreuse module loaded before it (third-party packages
    # stay loaded, which only saves time): an import that works only after another one fails
    code = textwrap.dedent("""
        import importlib, sys, traceback
        failed = []
        for name in sys.argv[1:]:
            for loaded in [m for m in sys.modules if m == "featreuse" or m.startswith("featreuse.")]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except Exception:
                failed.append(name + ": " + traceback.format_exc(limit=1).strip().splitlines()[-1])
        print("\\n".join(failed))
        sys.exit(1 if failed else 0)
    """)
    out = subprocess.run([sys.executable, "-c", code, *sorted(MODULES)], capture_output=True,
                         text=True)
    assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]


def test_no_file_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_one_error_hierarchy_and_one_convergence_warning():
    import featreuse
    from featreuse import errors, nets, solvers
    for name in ("InputError", "InputTypeError", "DivergenceError", "ConvergenceWarning"):
        assert getattr(featreuse, name) is getattr(solvers, name) is getattr(nets, name) is \
            getattr(errors, name), name
    assert issubclass(featreuse.InputError, (featreuse.FeatreuseError, ValueError))
    assert issubclass(featreuse.InputTypeError, (featreuse.FeatreuseError, TypeError))
