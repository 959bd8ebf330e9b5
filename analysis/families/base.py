"""What a model family declares so that the store, the sweeps, the CLI and the plots can run it.

A family is a package under ``analysis/families/`` whose ``FAMILY`` object is an
instance of a :class:`Family` subclass. The generic layers call only the methods
below; they know nothing about any one family.

Life of a sweep::

    config = family.parse_config(table, name=..., quick=..., seeds=...)   # validated up front
    runs = family.plan(config)                  # PlannedRun list; `needs` orders them
    record = family.execute(config, params, inputs, device)   # in a worker process
    # the driver commits each record to the store (analysis.store)
    df = analysis.load(path)                    # summary rows, metric from family.metric_values
    family.figures(df, config)                  # paper-style figures of the file

A *record* (what :meth:`Family.execute` returns) is a plain dict:

``scalars``    dict of JSON-able numbers and strings (summary columns, run attributes);
``arrays``     dict name -> ndarray: small arrays kept in the run's HDF5 group (dtype kept);
``artefacts``  dict name -> bytes: large artefacts (network weights, checkpoints) written as
               files beside the HDF5 file and referenced by relative path and sha256.
"""
import hashlib
import importlib
import json
import sys
from dataclasses import dataclass, field, fields

from featreuse.errors import InputError


@dataclass
class ExperimentConfig:
    """Fields every experiment has; a family's config dataclass extends it.

    Attributes
    ----------
    name : str
        Experiment name (the TOML file's stem).
    family : str
        Registered family name (``analysis.families.FAMILIES``).
    description : str
        One line shown by ``featreuse list``.
    quick : bool
        Whether the file's ``[quick]`` grid was applied.
    seeds : list of int
        Seeds of the sweep.
    """

    name: str
    family: str
    description: str
    quick: bool
    seeds: list

    def as_dict(self):
        """The config as a JSON-able dict (field order kept)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def run_id(params):
    """Stable id of a run: the first 16 hex digits of the SHA-1 of its canonical JSON params."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep, as planned by :meth:`Family.plan`.

    Attributes
    ----------
    run_id : str
        Stable id (:func:`run_id` of ``params``).
    params : dict
        JSON-able parameters; always ``regime`` and ``seed``, and ``n`` for summary runs.
    needs : tuple of str
        run_ids whose outputs this run takes as inputs (e.g. its pretraining).
    summary : bool
        Whether the run has a row in the summary table (pretraining runs do not).
    """

    run_id: str
    params: dict
    needs: tuple = ()
    summary: bool = True

    @classmethod
    def of(cls, params, needs=(), summary=True):
        """The planned run of ``params`` (its id computed by :func:`run_id`)."""
        return cls(run_id(params), params, tuple(needs), summary)


def unique_runs(runs):
    """``runs`` without repeated run ids, first occurrences in order (a plan may list a run
    twice, e.g. the n = 16 baseline that the grid also holds)."""
    seen = set()
    out = []
    for run in runs:
        if run.run_id not in seen:
            seen.add(run.run_id)
            out.append(run)
    return out


@dataclass
class RunOutputs:
    """What a committed run hands to the runs that need it.

    Attributes
    ----------
    arrays : dict name -> ndarray
    artefacts : dict name -> (absolute path, sha256 hex)
    attrs : dict
        The run's attributes: its scalars, ``status``, ``wall_s``, ...
    """

    arrays: dict = field(default_factory=dict)
    artefacts: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)

    def read_artefact(self, name):
        """The bytes of artefact ``name``, checked against its sha256.

        Raises
        ------
        InputError
            Unknown name, missing file, or a file whose hash differs from the recorded one.
        """
        from ..store.artefacts import read_artefact
        if name not in self.artefacts:
            raise InputError(f"artefact {name!r} not recorded (have: {sorted(self.artefacts)})")
        path, sha = self.artefacts[name]
        return read_artefact(path, sha)


class Family:
    """Base class of a model family. Subclasses set the attributes and implement the methods.

    :meth:`parse_config`, :meth:`plan`, :meth:`execute` (and :meth:`execute_batch`) and
    :meth:`figures` call the functions of the same name in the modules that the subclass
    names (:attr:`config_module`, :attr:`plan_module`, :attr:`execute_module`,
    :attr:`figures_module`); a subclass may instead override the methods.

    Attributes
    ----------
    name : str
        Family name used in experiment files (``family = "diagonal"``).
    title : str
        One line: what the family trains.
    metric : str
        Name of the main error figure column (e.g. ``"gen_loss"``, ``"accuracy"``).
    metric_label : str
        Axis label of the main error figure, saying how it is normalised.
    commands : dict
        Extra ``featreuse`` sub-commands: name -> module with ``HELP``, ``configure(parser)``
        and ``run(args)`` (see :mod:`featreuse.analysis.commands`).
    max_batch : int
        Most runs handed to one :meth:`execute_batch` call.
    config_class : type
        The family's config dataclass (an :class:`ExperimentConfig` subclass).
    uses_torch : bool
        Whether runs train in torch (the sweep's provenance then records torch's CPU
        kernel level, which decides float32 bits across machines).
    config_module, plan_module, execute_module, figures_module : str or None
        The modules the methods forward to, named relative to the family's package
        (``".config"``) and imported on first call, so that listing experiments imports
        neither torch nor matplotlib. ``config_module`` has ``parse_config(table, *, name,
        description, quick, seeds)``, ``plan_module`` ``plan(config)``, ``execute_module``
        ``execute(config, params, inputs, device)`` and optionally ``execute_batch(config,
        params_list, inputs_list, device)``, ``figures_module`` ``figures(df, config)``.
        None: the subclass overrides the method.
    """

    name = ""
    title = ""
    metric = ""
    metric_label = ""
    commands = {}
    max_batch = 1
    config_class = None
    uses_torch = False
    config_module = None
    plan_module = None
    execute_module = None
    figures_module = None

    def _module(self, attribute):
        """The module named by ``attribute`` (e.g. ``"plan_module"``), imported."""
        name = getattr(self, attribute)
        if name is None:
            raise NotImplementedError(f"{type(self).__name__} names no {attribute}")
        return importlib.import_module(name, sys.modules[type(self).__module__].__package__)

    # ---------------------------------------------------------------- configuration
    def parse_config(self, table, *, name, description, quick, seeds):
        """Validate the family-specific part of an experiment file.

        Parameters
        ----------
        table : dict
            The experiment's TOML table with ``family``, ``description``, ``seeds``
            and ``[quick]`` already handled.
        name, description : str
        quick : bool
        seeds : list of int

        Returns
        -------
        ExperimentConfig subclass instance

        Raises
        ------
        InputError, InputTypeError
            Naming the bad key or value.
        """
        return self._module("config_module").parse_config(
            table, name=name, description=description, quick=quick, seeds=seeds)

    def config_from_dict(self, data):
        """Rebuild the config dataclass from :meth:`ExperimentConfig.as_dict` (a stored file)."""
        return self.config_class(**data)

    def dtype(self, config):
        """Floating-point type the experiment computes in (recorded in the file's provenance)."""
        return "float64"

    # ---------------------------------------------------------------- planning and running
    def plan(self, config):
        """All runs of the sweep, in execution order: a list of :class:`PlannedRun`.

        A run is handed out once every run in its ``needs`` is committed.
        """
        return self._module("plan_module").plan(config)

    def warm_up(self, config, runs):
        """Compile or load what the runs need once, in the driver, before the fan-out."""

    def cost_model(self, config):
        """What the runs of ``config`` will cost (:class:`featreuse.analysis.estimate.CostModel`),
        or None when the family does not predict it (then ``--estimate`` is refused and the
        sweep hands its batches out in plan order)."""
        return None

    def execute(self, config, params, inputs, device):
        """Execute one run (in a worker process) and return its record (see the module doc).

        Parameters
        ----------
        config : ExperimentConfig subclass
        params : dict
            The run's planned parameters.
        inputs : dict run_id -> RunOutputs
            Outputs of the runs in its ``needs``.
        device : str
            ``"cpu"`` or ``"cuda"`` (checked by the driver).

        Exceptions propagate; the caller records them as a failed run.
        """
        return self._module("execute_module").execute(config, params, inputs, device)

    def batch_key(self, config, params):
        """Runs with the same key (not None) may be executed together by :meth:`execute_batch`.

        The driver cuts the plan's runs of one key, in plan order, into batches of up to
        :attr:`max_batch` (:func:`featreuse.analysis.sweep.plan_batches`); each batch is one task
        (e.g. networks of one shape trained as one stacked model), whatever the worker
        count, so a run trains with the same companions in every sweep. Each run is still
        committed, resumed and summarised on its own. Default: None (one run per task).
        """
        return None

    def execute_batch(self, config, params_list, inputs_list, device):
        """Execute several runs of one batch key; one record (or Exception) per run.

        An Exception in the list fails that run only; an exception raised by the call
        fails every run of the batch. Default: the execute module's ``execute_batch`` if it
        has one, else :meth:`execute` on each run.
        """
        if self.execute_module is not None:
            batch = getattr(self._module("execute_module"), "execute_batch", None)
            if batch is not None:
                return batch(config, params_list, inputs_list, device)
        out = []
        for params, inputs in zip(params_list, inputs_list):
            try:
                out.append(self.execute(config, params, inputs, device))
            except Exception as exc:  # noqa: BLE001 -- recorded as that run's failure
                out.append(exc)
        return out

    # ---------------------------------------------------------------- summary and figures
    def columns(self, config):
        """Scalar summary columns of an experiment (besides the base columns ``run_id,
        experiment, regime, n, seed, <metric>, wall_s`` and the swept parameters).

        Only columns that some summary run of ``config`` records: none is NaN for every
        run by construction (a column may still be NaN where the data give no value).
        """
        return ()

    def swept_columns(self, config):
        """Names of the per-parameter summary columns (swept grid and variant keys)."""
        raise NotImplementedError

    def swept_values(self, config, params):
        """``{column: value}`` of :meth:`swept_columns` for one run's params."""
        return {c: params.get(c) for c in self.swept_columns(config)}

    def metric_values(self, df, config):
        """The main error figure of every summary row (a float array aligned with ``df``)."""
        raise NotImplementedError

    def figures(self, df, config):
        """Paper-style figures of a summary: list of ``(suffix, matplotlib Figure)``.

        The files are named ``<stem><suffix>.png/.pdf``.
        """
        return self._module("figures_module").figures(df, config)

    # ---------------------------------------------------------------- certification
    def certification_cases(self, quick):
        """Cases of ``featreuse check``: a list of :class:`featreuse.analysis.certificate.Case`."""
        return []

    def certification_figures(self, rows, out_dir):
        """Figures of certification rows written into ``out_dir``; returns the paths."""
        return []

    def theory_figures(self, out_dir):
        """Figures drawn from closed forms alone (``featreuse plot --penalties``); the paths."""
        return []

