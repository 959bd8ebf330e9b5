"""Named experiments: TOML files in this folder (or a path to one), validated by their family.

Every experiment file has the keys

``family``       the model family that runs it (``featreuse list`` shows them);
``description``  one line shown by ``featreuse list``;
``seeds``        a count (seeds ``0..N-1``) or a list of seeds;
``[quick]``      replacements for a small grid (``--quick``): any other key of the file;
                 tables are merged key by key, other values replaced;

and whatever its family's schema adds (docs/experiments.md). ``featreuse run``
may override any key but ``family`` from the command line (``--set
train.lr=0.1``, ``--data PATH`` for ``data``): overrides apply after
``[quick]``, and the result is validated like the file itself.

Everything is checked here, before any work: a bad key or value raises
:class:`featreuse.errors.InputError` naming it.
"""
import copy
import os
import tomllib

from featreuse.errors import InputError, InputTypeError

from ..families import FAMILIES, get_family
from ..families.checks import check_seeds

HERE = os.path.dirname(os.path.abspath(__file__))
#: keys handled here; the rest belongs to the family's schema
COMMON_KEYS = ("family", "description", "seeds", "quick")


def _read(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def list_experiments():
    """Named experiments: ``{name: (family, description)}``, sorted by name."""
    out = {}
    for fname in sorted(os.listdir(HERE)):
        if fname.endswith(".toml"):
            raw = _read(os.path.join(HERE, fname))
            out[fname[:-5]] = (raw.get("family", "?"), raw.get("description", ""))
    return out


def experiment_path(name):
    """The TOML file of a named experiment or of a path ending in ``.toml``.

    Raises
    ------
    InputError
        A missing file, or an unknown name (the message lists the named ones).
    """
    if not isinstance(name, str) or not name:
        raise InputTypeError(f"experiment name must be a non-empty string, got {name!r}")
    if name.endswith(".toml"):
        if not os.path.isfile(name):
            raise InputError(f"experiment file {name!r} does not exist")
        return name
    path = os.path.join(HERE, f"{name}.toml")
    if not os.path.isfile(path):
        raise InputError(f"unknown experiment {name!r} (named: {', '.join(list_experiments())}; "
                         "or give a path to a .toml file)")
    return path


def _merge(base, override):
    """``override`` applied to ``base``: tables merged key by key, other values replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_override(text, name="--set"):
    """``"a.b=VALUE"`` -> ``("a.b", value)``; VALUE is read as a TOML value, else kept as text.

    ``--set n=[16,64]`` gives a list, ``--set train.lr=0.1`` a float,
    ``--set data=/some/folder`` a string.
    """
    if not isinstance(text, str) or "=" not in text:
        raise InputError(f"{name} must be KEY=VALUE, got {text!r}")
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise InputError(f"{name}: {text!r} has no key before '='")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def _override(table, key, value, where):
    parts = key.split(".")
    if parts[0] in ("family", "quick"):
        raise InputError(f"{where}: {parts[0]!r} cannot be overridden")
    node = table
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InputError(f"{where}: {key!r}: {part!r} is not a table")
        node = child
    node[parts[-1]] = value


def load_experiment(name, quick=False, seeds=None, overrides=None):
    """Load and validate a named experiment (or a path to a ``.toml`` file).

    Parameters
    ----------
    name : str
        A name listed by :func:`list_experiments`, or a path ending in ``.toml``.
    quick : bool
        Apply the file's ``[quick]`` table (small grid, for CI and demos).
    seeds : int, optional
        Number of seeds (``0..seeds-1``), replacing the file's.
    overrides : dict, optional
        ``{dotted key: value}`` set after ``[quick]`` (``{"train.lr": 0.1}``);
        ``--set`` and ``--data`` of ``featreuse run``.

    Returns
    -------
    ExperimentConfig subclass
        The family's validated config dataclass.

    Raises
    ------
    InputError, InputTypeError
        Missing file, unknown name or family, or any invalid key or value (named).
    """
    path = experiment_path(name)
    try:
        raw = _read(path)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"experiment file {path}: {exc}") from None
    label = os.path.basename(path)[:-5]
    where = f"experiment {label!r}"
    family_name = raw.get("family")
    if family_name is None:
        raise InputError(f"{where}: the file must name its family "
                         f"(family = \"...\"; known: {', '.join(FAMILIES)})")
    family = get_family(family_name)
    table = copy.deepcopy(raw)
    q = table.pop("quick", {})
    if not isinstance(q, dict):
        raise InputTypeError(f"{where}: [quick] must be a table")
    for key in ("family", "description", "quick"):
        if key in q:
            raise InputError(f"{where}: [quick] cannot set {key!r}")
    if quick:
        table = _merge(table, q)
    for key, value in (overrides or {}).items():
        _override(table, key, value, f"{where}: --set")
    description = table.pop("description", "")
    if not isinstance(description, str):
        raise InputTypeError(f"{where}: description must be a string")
    table.pop("family")
    if seeds is not None:
        table["seeds"] = seeds
        seed_list = check_seeds(seeds, "--seeds")
    else:
        if "seeds" not in table:
            raise InputError(f"{where}: seeds must be set (a count or a list)")
        seed_list = check_seeds(table["seeds"], f"{where}: seeds")
    table.pop("seeds")
    return family.parse_config(table, name=label, description=description, quick=bool(quick),
                               seeds=seed_list)
