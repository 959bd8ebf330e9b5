"""Finetuned units against LL's ReLU finetuning penalty (PT+FT runs).

LL's penalty prices one hidden unit's finetuning: a unit with pretrained norm
``m0`` (after the rescaling ``W <- s W``), readout reset to ``v0`` and new
direction at cosine ``theta`` with the old one pays
``R(beta; m0^2, theta) = min_m (beta/m - v0)^2 + m^2 + m0^2 - 2 m m0 theta``
(:func:`featreuse.solvers.penalties.relu_ft_penalty`) to carry output weight ``beta``.

**Prediction, per main teacher unit j** (output weight ``beta_j = |a'_j|``,
unit direction ``w'_j`` at cosine ``rho_j`` with auxiliary unit ``w_j``).
The pretrained units aligned with ``w_j`` (cosine >= :data:`CLUSTER_COS`) form
its cluster; with equal directions a cluster costs what one unit of norm
``m0_j = sqrt(sum_k s^2 ||w_k||^2)`` costs. The cheaper way of carrying
``beta_j`` is

* rotating the cluster onto ``w'_j``: ``R_pre = R(beta_j; m0_j^2, rho_j)``;
  predicted *reused* when ``rho_j >= REUSED_COS``, *changed* otherwise;
* a unit without pretrained norm: ``R_new = R(beta_j; 0, .)`` (about
  ``2 beta_j``), predicted *recruited*.

**Measurement.** A finetuned unit k implements main unit j when ``w'_j`` is
its closest main unit by cosine and that cosine is >= :data:`IMPLEMENT_COS`;
its weight is its contribution ``c_k = ||w_k|| |a_k|``. Main unit j is
*unresolved* when its implementing units carry less than
:data:`COVERAGE` of ``beta_j`` (no unit learned it, e.g. lazy training);
otherwise *recruited* when less than :data:`MAJORITY` of their contribution
comes from cluster j, else *reused* when the contribution-weighted cosine
between the cluster units' start and end directions is >= ``REUSED_COS``,
else *changed*.

``penalty_accuracy`` is the fraction of main units whose measured class is
the predicted one (an unresolved unit never agrees). Per network unit, the
contribution shares ``share_reused`` (in a cluster, direction kept),
``share_changed`` (in a cluster, rotated) and ``share_recruited`` (in no
cluster) summarise where the finetuned function lives.
"""
import numpy as np

#: a pretrained unit belongs to the cluster of the auxiliary unit it has this cosine with
CLUSTER_COS = 0.95
#: a finetuned unit implements the main unit it has this cosine with (its closest)
IMPLEMENT_COS = 0.95
#: a unit whose start and end directions have this cosine kept its direction
REUSED_COS = 0.995
#: implementing units must carry this fraction of beta_j for a class to be measured
COVERAGE = 0.5
#: share of the implementing contribution that decides "from the cluster"
MAJORITY = 0.5
#: class codes of the per-main-unit arrays
UNRESOLVED, RECRUITED, REUSED, CHANGED = -1, 0, 1, 2
CLASS_NAMES = {UNRESOLVED: "unresolved", RECRUITED: "recruited", REUSED: "reused",
               CHANGED: "changed"}


def _directions(W):
    norms = np.linalg.norm(W, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return W / norms[:, None], norms


def clusters(W_pre, aux_units):
    """Cluster of every pretrained unit: the auxiliary unit it is aligned with, or -1.

    Parameters
    ----------
    W_pre : ndarray (K, D)
    aux_units : ndarray (n_aux_units, D), unit rows

    Returns
    -------
    ndarray (K,) of int
    """
    U, norms = _directions(W_pre)
    cos = np.nan_to_num(U @ aux_units.T, nan=-1.0)
    best = cos.argmax(axis=1)
    return np.where((cos.max(axis=1) >= CLUSTER_COS) & (norms > 0), best, -1)


def predict(teacher, cluster, W0, readout_init):
    """Penalty prediction per main unit.

    Parameters
    ----------
    teacher : nets.ReluTeacher
    cluster : ndarray (K,) of int
        From :func:`clusters`.
    W0 : ndarray (K, D)
        Hidden weights at the finetuning start (rescaled).
    readout_init : float
        ``v0``: the scale of the re-drawn readout.

    Returns
    -------
    dict of ndarray (n_main_units,)
        ``m0_sq`` (cluster norm squared), ``beta``, ``r_pretrained``, ``r_new``,
        ``predicted`` (class codes).
    """
    from featreuse.solvers.penalties import relu_ft_penalty
    n2 = teacher.main_units.shape[0]
    sq = np.sum(W0 ** 2, axis=1)
    m0_sq = np.array([sq[cluster == j].sum() for j in range(n2)])
    beta = np.abs(teacher.main_readout) * np.linalg.norm(teacher.main_units, axis=1)
    rho = np.clip(teacher.rho, -1.0, 1.0)
    r_pre = relu_ft_penalty(beta, m0_sq, rho, readout_init=readout_init, reduce=False)
    r_new = relu_ft_penalty(beta, np.zeros(n2), np.zeros(n2), readout_init=readout_init,
                            reduce=False)
    kept = np.where(rho >= REUSED_COS, REUSED, CHANGED)
    predicted = np.where(r_pre < r_new, kept, RECRUITED)
    return {"m0_sq": m0_sq, "beta": beta, "r_pretrained": np.asarray(r_pre, float),
            "r_new": np.asarray(r_new, float), "predicted": predicted.astype(np.int64)}


def measure(teacher, cluster, W0, W1, a1):
    """Measured class per main unit, and the contribution shares per network unit.

    Parameters
    ----------
    teacher : nets.ReluTeacher
    cluster : ndarray (K,) of int
    W0 : ndarray (K, D)
        Hidden weights at the finetuning start.
    W1 : ndarray (K, D)
        Hidden weights after finetuning.
    a1 : ndarray (K,)
        Readout after finetuning.

    Returns
    -------
    per_main : dict of ndarray (n_main_units,)
        ``coverage`` (implementing contribution / beta_j), ``from_cluster``
        (share of it from cluster j), ``kept_cos`` (weighted start-end cosine
        of those cluster units, NaN if none), ``measured`` (class codes).
    shares : dict of float
        ``share_reused``, ``share_changed``, ``share_recruited``.
    """
    from featreuse.nets import finetune_unit_change
    U1, n1 = _directions(W1)
    c1 = n1 * np.abs(a1)
    cos_start = np.nan_to_num(finetune_unit_change(W0, W1).cosine, nan=0.0)
    cos_main = np.nan_to_num(U1 @ teacher.main_units.T, nan=-1.0)
    closest = cos_main.argmax(axis=1)
    implements = cos_main.max(axis=1) >= IMPLEMENT_COS
    n2 = teacher.main_units.shape[0]
    beta = np.abs(teacher.main_readout)
    out = {key: np.full(n2, np.nan) for key in ("coverage", "from_cluster", "kept_cos")}
    measured = np.full(n2, UNRESOLVED, dtype=np.int64)
    for j in range(n2):
        mine = implements & (closest == j)
        total = c1[mine].sum()
        out["coverage"][j] = total / beta[j]
        if total == 0:
            continue
        own = mine & (cluster == j)
        out["from_cluster"][j] = c1[own].sum() / total
        if c1[own].sum() > 0:
            out["kept_cos"][j] = np.sum(c1[own] * cos_start[own]) / c1[own].sum()
        if out["coverage"][j] < COVERAGE:
            continue
        if out["from_cluster"][j] < MAJORITY:
            measured[j] = RECRUITED
        else:
            measured[j] = REUSED if out["kept_cos"][j] >= REUSED_COS else CHANGED
    out["measured"] = measured
    pre = cluster >= 0
    kept = cos_start >= REUSED_COS
    # The total is the sum of the three parts, not c1.sum(): a share that holds all of the
    # contribution is then exactly 1 whatever order the machine's sums take.
    parts = {"share_reused": c1[pre & kept].sum(), "share_changed": c1[pre & ~kept].sum(),
             "share_recruited": c1[~pre].sum()}
    total = sum(parts.values())
    shares = {k: float(v / total) if total else float("nan") for k, v in parts.items()}
    return out, shares


def certify(teacher, W_pre, W0, W1, a1, readout_init):
    """Penalty prediction against the measured finetuning of one PT+FT run.

    Parameters
    ----------
    teacher : nets.ReluTeacher
    W_pre : ndarray (K, D)
        Pretrained hidden weights (before rescaling).
    W0 : ndarray (K, D)
        Finetuning start (``s W_pre``).
    W1 : ndarray (K, D)
        Finetuned hidden weights.
    a1 : ndarray (K,)
        Finetuned readout.
    readout_init : float
        Scale of the re-drawn readout (``v0``).

    Returns
    -------
    scalars : dict
        ``penalty_accuracy`` and the three shares.
    arrays : dict of ndarray (n_main_units,)
        ``cert_*``: the prediction and measurement per main unit.
    """
    cluster = clusters(W_pre, teacher.aux_units)
    pred = predict(teacher, cluster, W0, readout_init)
    meas, shares = measure(teacher, cluster, W0, W1, a1)
    accuracy = float(np.mean(pred["predicted"] == meas["measured"]))
    arrays = {f"cert_{k}": np.asarray(v) for k, v in {**pred, **meas}.items()}
    return {"penalty_accuracy": accuracy, **shares}, arrays
