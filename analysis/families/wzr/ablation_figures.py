"""The alignment ablation's per-pair table and figure (docs/wzr.md).

:func:`pair_changes` pairs every ``mtl_aligned`` row with the ``mtl``,
``mtl_head``, ``mtl_finetuned`` and ``stl`` rows of its seed, n and pair (target);
:func:`pair_table` averages them over seeds, and :func:`rise_counts` counts the
pairs whose mean score or accuracy rises with alignment. The figure has one row per
pair: the change by alignment of CovSim of the module's inputs ``X E R`` and of its
outputs (every seed a dot, the mean a bar), and the target's test accuracy per
regime (mean over seeds, an arrow from MTL to MTL + alignment).
"""
import numpy as np
import pandas as pd

from .style import COLORS, LABELS

#: the accuracy of each regime, as a column of :func:`pair_changes`
ACCURACY = {"stl": "acc_stl", "mtl": "acc_mtl", "mtl_aligned": "acc_aligned",
            "mtl_head": "acc_head", "mtl_finetuned": "acc_finetuned"}
#: marker style of each regime's accuracy: (marker, size, filled)
MARKERS = {"stl": ("|", 9, True), "mtl": ("o", 7, False), "mtl_aligned": ("o", 4, True),
           "mtl_head": ("x", 5, True), "mtl_finetuned": ("s", 4, True)}


def pair_changes(df):
    """One row per seed, n and pair: scores before and after alignment, accuracy per regime.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, n, pair, source, target``, ``input_before``, ``input_after``
        (CovSim of ``X E R``), ``module_before``, ``module_after`` (CovSim of the
        module's outputs), ``module_finetuned`` (outputs after finetuning the module; NaN
        without that regime), ``d_input``, ``d_module`` (after - before) and
        :data:`ACCURACY`'s columns (NaN for a regime the sweep lacks).
    """
    keys = ["seed", "n", "pair"]
    aligned = df[df["regime"] == "mtl_aligned"]
    out = pd.DataFrame({
        "seed": aligned["seed"], "n": aligned["n"], "pair": aligned["pair"],
        "source": aligned["source"], "target": aligned["target"],
        "input_before": aligned["covsim_before"], "input_after": aligned["covsim_after"],
        "module_before": aligned["covsim_module_before"],
        "module_after": aligned["covsim_module"], "acc_aligned": aligned["accuracy"]})
    for regime, column in (("mtl", "acc_mtl"), ("mtl_head", "acc_head"),
                           ("mtl_finetuned", "acc_finetuned")):
        rows = df[df["regime"] == regime].set_index(keys)["accuracy"].rename(column)
        out = out.join(rows, on=keys)
    tuned = df[df["regime"] == "mtl_finetuned"].set_index(keys)["covsim_module"]
    out = out.join(tuned.rename("module_finetuned"), on=keys)
    stl = df[df["regime"] == "stl"].set_index(["seed", "n", "target"])["accuracy"]
    out = out.join(stl.rename("acc_stl"), on=["seed", "n", "target"])
    out = out.assign(d_input=out["input_after"] - out["input_before"],
                     d_module=out["module_after"] - out["module_before"])
    return out.sort_values(keys).reset_index(drop=True)


def pair_table(df):
    """Per n and pair (in the sweep's order): mean and SD over seeds of :func:`pair_changes`.

    Returns
    -------
    pandas.DataFrame
        Index ``(n, pair)``; columns ``(quantity, "mean" | "std")`` and ``("seeds", "")``.
    """
    changes = pair_changes(df)
    order = list(dict.fromkeys(changes["pair"]))
    if "pair" in df:
        order = list(dict.fromkeys(df["pair"].dropna())) or order
    cols = ["input_before", "input_after", "d_input", "module_before", "module_after",
            "d_module", "module_finetuned"] + list(ACCURACY.values())
    g = changes.groupby(["n", "pair"])
    table = g[cols].agg(["mean", "std"])
    table[("seeds", "")] = g.size()
    rank = {p: i for i, p in enumerate(order)}
    return table.sort_index(key=lambda idx: idx.map(rank) if idx.name == "pair" else idx)


def rise_counts(df):
    """Per n: of the pairs, how many have a mean change > 0 of each score and accuracy.

    Returns
    -------
    dict n -> dict
        ``pairs``, ``input`` and ``module`` (CovSim after > before), ``accuracy``
        (aligned > MTL), ``accuracy_vs_head``, ``accuracy_vs_finetuned`` (aligned above
        that control), each counted on the means over seeds.
    """
    table = pair_table(df)
    out = {}
    for n, t in table.groupby(level="n"):
        mean = t.xs("mean", axis=1, level=1)
        out[int(n)] = {"pairs": len(t), "input": int((mean["d_input"] > 0).sum()),
                       "module": int((mean["d_module"] > 0).sum()),
                       "accuracy": int((mean["acc_aligned"] > mean["acc_mtl"]).sum()),
                       "accuracy_vs_head": int((mean["acc_aligned"] > mean["acc_head"]).sum()),
                       "accuracy_vs_finetuned": int((mean["acc_aligned"]
                                                     > mean["acc_finetuned"]).sum())}
    return out


def _changes_panel(ax, changes, pairs, column, color, label, offset=0.0):
    """Per pair: every seed's ``column`` as a dot, the mean as a bar."""
    for i, pair in enumerate(pairs):
        values = changes.loc[changes["pair"] == pair, column].dropna().to_numpy()
        if len(values):
            ax.plot(values, np.full(len(values), i + offset), ".", ms=3, color=color, alpha=0.5)
            ax.plot([values.mean()] * 2, [i + offset - 0.3, i + offset + 0.3], "-", lw=2,
                    color=color, label=label if i == 0 else None)
    ax.axvline(0.0, color="#444444", lw=0.8)


def ablation_figure(df, config, metric):
    """Per pair: CovSim changes by alignment (inputs, module outputs) and target accuracies."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    changes = pair_changes(df)
    pairs = [p for p in config.grid["pair"] if p in set(changes["pair"])]
    n = config.n[0] if len(config.n) == 1 else None
    if n is not None:
        changes = changes[changes["n"] == n]
    counts = rise_counts(df)
    fig, axes = plt.subplots(1, 3, figsize=(14.5, 0.32 * len(pairs) + 2.2), sharey=True)
    ax_in, ax_mod, ax_acc = axes
    _changes_panel(ax_in, changes, pairs, "d_input", COLORS["mtl_aligned"], "alignment")
    _changes_panel(ax_mod, changes, pairs, "d_module", COLORS["mtl_aligned"], "alignment")
    if changes["module_finetuned"].notna().any():
        tuned = changes.assign(d_tuned=changes["module_finetuned"] - changes["module_before"])
        _changes_panel(ax_mod, tuned, pairs, "d_tuned", COLORS["mtl_finetuned"],
                       "finetuning module + head", offset=0.25)
        ax_mod.legend(fontsize=7, frameon=False, loc="lower left")
    mean = changes.groupby("pair")[list(ACCURACY.values())].mean()
    for regime, column in ACCURACY.items():
        if regime in config.regimes and mean[column].notna().any():
            marker, size, filled = MARKERS[regime]
            ax_acc.plot(mean.loc[pairs, column], np.arange(len(pairs)), marker, ms=size,
                        color=COLORS[regime], mfc=COLORS[regime] if filled else "none",
                        label=LABELS[regime], ls="none")
    if {"mtl", "mtl_aligned"} <= set(config.regimes):
        for i, pair in enumerate(pairs):
            ax_acc.annotate("", xy=(mean.loc[pair, "acc_aligned"], i),
                            xytext=(mean.loc[pair, "acc_mtl"], i),
                            arrowprops={"arrowstyle": "->", "color": COLORS["mtl_aligned"],
                                        "lw": 1})
    ax_in.set_yticks(np.arange(len(pairs)))
    ax_in.set_yticklabels([p.replace("/", " -> ") for p in pairs], fontsize=7)
    ax_in.invert_yaxis()
    c = counts.get(n, {}) if n is not None else {}
    def rises(key):
        return f"\n(mean rises in {c[key]} of {c['pairs']} pairs)" if c else ""

    ax_in.set_xlabel("CovSim(X_s E_s R_s, X_t E_t R_t): after - before alignment", fontsize=8)
    ax_in.set_title(f"what the module reads: CovSim {changes['input_before'].mean():.2f} "
                    f"before" + rises("input"), fontsize=9)
    ax_mod.set_xlabel("CovSim of the module's outputs (what the heads read): after - before",
                      fontsize=8)
    ax_mod.set_title(f"what the heads read: CovSim {changes['module_before'].mean():.2f} "
                     f"before" + rises("module"), fontsize=9)
    ax_acc.set_xlabel("target test accuracy (mean over seeds)", fontsize=8)
    ax_acc.set_title("MTL -> MTL + alignment (arrow)" + rises("accuracy"), fontsize=9)
    for ax in axes:
        ax.xaxis.set_major_locator(plt.MaxNLocator(5))
        ax.tick_params(axis="x", labelsize=7)
    ax_acc.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.02, 0.5))
    d = config.data
    note = (f"source ({d['n_source']} samples) -> target (n = "
            f"{', '.join(str(v) for v in config.n)}); "
            f"embeddings {d['embedding']} 64 -> {d['embed_dim']}, module width "
            f"{config.model['width']}; dots: seeds, bars: means over "
            f"{changes['seed'].nunique()} seeds")
    fig.suptitle(config.name + (" (quick)" if config.quick else ""), fontsize=10)
    fig.text(0.01, 0.01, note, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
