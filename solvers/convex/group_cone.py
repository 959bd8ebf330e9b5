"""Reduced second-order-cone program behind the fast ell_{1,2} backend.

After the reduction of :mod:`.l12` the program reads

    min_{B, s}  sum_d s_d   s.t.  (s_d, B_{d,:}, sqrt(alpha_d)) in SOC,   M_j B[:, j] = c_j,

with ``B`` (D, m) the free tasks, ``alpha_d = ||a_d||^2`` the squared norm of
the fixed (fully determined) task columns and ``M_j`` (r_j, D) with
orthonormal rows. It is handed to Clarabel directly (no modelling layer):
its size is ``sum_j r_j`` equality rows, not ``sum_t n_t``, and the fixed
tasks are gone.
"""
import clarabel
import numpy as np
import scipy.sparse as sp

from featreuse.errors import SolverError

#: Clarabel settings of the fast backend.
SETTINGS = {"tol_gap_abs": 1e-11, "tol_gap_rel": 1e-11, "tol_feas": 1e-11,
            "tol_ktratio": 1e-9, "max_iter": 200}


def group_cone(Ms, cs, alpha, settings=None):
    """Minimise ``sum_d sqrt(||B_d||^2 + alpha_d)`` subject to ``M_j B[:, j] = c_j``.

    Parameters
    ----------
    Ms : list of ndarray (r_j, D)
        Constraint matrices (orthonormal rows), one per free task.
    cs : list of ndarray (r_j,)
        Right-hand sides.
    alpha : ndarray (D,)
        Squared norm of the fixed part of each group (``>= 0``).
    settings : dict, optional
        Clarabel settings overriding :data:`SETTINGS`.

    Returns
    -------
    B : ndarray (D, m)
    mus : list of ndarray (r_j,)
        Multipliers of ``M_j B_j = c_j`` in the convention
        ``sum s - sum_j mu_j^T (M_j B_j - c_j)``, so that ``||(M_j^T mu_j)_d||``
        over ``j`` is at most (about) 1.
    iterations : int
    """
    D = alpha.shape[0]
    m = len(Ms)
    has_fixed = bool(np.any(alpha > 0))
    k = 1 + m + int(has_fixed)  # cone dimension
    nx = D * (1 + m)
    r = [M.shape[0] for M in Ms]
    # equality rows: x = (s, B[:, 0], ..., B[:, m-1])
    eq = sp.hstack([sp.csc_matrix((sum(r), D)), sp.block_diag([sp.csc_matrix(M) for M in Ms])])
    # cone rows: slack = b - A x = (s_d, B_d, sqrt(alpha_d)) for each d
    rows = np.arange(D)[:, None] * k + np.arange(1 + m)[None, :]
    cols = np.arange(D)[:, None] + D * np.arange(1 + m)[None, :]
    cone = sp.csc_matrix((-np.ones(D * (1 + m)), (rows.ravel(), cols.ravel())), shape=(D * k, nx))
    A = sp.vstack([eq, cone]).tocsc()
    b_cone = np.zeros(D * k)
    if has_fixed:
        b_cone[k - 1::k] = np.sqrt(alpha)
    b = np.concatenate([np.concatenate(cs) if m else np.zeros(0), b_cone])
    q = np.concatenate([np.ones(D), np.zeros(D * m)])
    P = sp.csc_matrix((nx, nx))
    cones = [clarabel.ZeroConeT(sum(r))] + [clarabel.SecondOrderConeT(k)] * D
    st = clarabel.DefaultSettings()
    st.verbose = False
    for key, val in {**SETTINGS, **(settings or {})}.items():
        setattr(st, key, val)
    sol = clarabel.DefaultSolver(P, q, A, b, cones, st).solve()
    status = str(sol.status)
    if status not in ("Solved", "AlmostSolved"):
        raise SolverError("Clarabel failed on the reduced ell_{1,2} program", status=status)
    x = np.asarray(sol.x)
    B = x[D:].reshape(m, D).T.copy()
    z = np.asarray(sol.z)
    # Clarabel's Lagrangian is q^T x + z^T (A x - b): the equality multiplier of
    # M B = c in the convention above is -z
    offs = np.concatenate([[0], np.cumsum(r)]).astype(int)
    mus = [-z[offs[j]:offs[j + 1]] for j in range(m)]
    return B, mus, int(sol.iterations), status
