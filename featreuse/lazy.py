"""Names of a package resolved on first access (PEP 562), so that importing it stays light.

Every package of featreuse that offers a flat namespace (``featreuse``,
``featreuse.solvers``, ``featreuse.nets``, ``featreuse.analysis.compare``) builds its
``__getattr__`` and ``__dir__`` here: a public name is imported from the submodule that
defines it the first time it is asked for, and any other name is tried as a submodule.
"""
import importlib
import pkgutil
import sys


def lazy_namespace(package, exports, modules=None):
    """``(__getattr__, __dir__)`` of the package named ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        Public name -> module that defines it, relative to the package (``"relu.stacked"``)
        or absolute (``"featreuse.solvers.train"``).
    modules : dict, optional
        Public name -> module it stands for (same naming).

    Returns
    -------
    (callable, callable)
        To be bound as the package's ``__getattr__`` and ``__dir__``. A resolved name is
        cached in the package's globals; an unknown name raises ``AttributeError``.
    """
    modules = modules or {}

    def absolute(name):
        return name if name.startswith("featreuse") else f"{package}.{name}"

    def __getattr__(name):
        namespace = vars(sys.modules[package])
        if name in exports:
            value = getattr(importlib.import_module(absolute(exports[name])), name)
        elif name in modules:
            value = importlib.import_module(absolute(modules[name]))
        else:
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__():
        module = sys.modules[package]
        submodules = {m.name for m in pkgutil.iter_modules(module.__path__)}
        return sorted(set(vars(module)) | set(exports) | set(modules) | submodules)

    return __getattr__, __dir__
