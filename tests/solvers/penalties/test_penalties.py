"""Tests of solvers.penalties: closed forms, derivatives, homogeneity, minimisers."""
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from featreuse.solvers import penalties as P
from featreuse.solvers import reduced_flow
from featreuse.solvers.diagonal import finetune_init, log_AB
from featreuse.errors import InputError, InputTypeError


def naive_q(z):
    return 2.0 - np.sqrt(4.0 + z * z) + z * np.arcsinh(z / 2.0)


# ----------------------------------------------------------------------------
# q and Q_alpha
# ----------------------------------------------------------------------------
def test_q_matches_definition_at_moderate_arguments():
    z = np.linspace(-30, 30, 601)
    assert np.allclose(P.q(z), naive_q(z), rtol=1e-13, atol=1e-14)


def test_q_small_argument_series():
    # q(z) = z^2/4 - z^4/192 + O(z^6): the naive formula loses all digits here
    z = np.array([1e-3, -2e-4, 1e-8, 1e-150])
    series = z ** 2 / 4 - z ** 4 / 192
    assert np.allclose(P.q(z), series, rtol=1e-12, atol=0)
    assert P.q(0.0) == 0.0


def test_q_large_argument_asymptotics_without_overflow():
    # q(z) = z ln z - z + 2 - 1/z + O(ln z / z^3)
    z = np.array([1e6, 1e100, 1e300])
    asym = z * np.log(z) - z + 2.0 - 1.0 / z
    assert np.all(np.isfinite(P.q(z)))
    assert np.allclose(P.q(z), asym, rtol=1e-14)
    assert np.allclose(P.q(-z), P.q(z), rtol=0)


def test_q_prime_is_derivative_of_q():
    z = np.linspace(-12, 12, 97)
    h = 1e-5
    fd = (P.q(z + h) - P.q(z - h)) / (2 * h)
    assert np.allclose(fd, P.q_prime(z), rtol=1e-8, atol=1e-9)
    assert np.allclose(P.q_prime(z), np.arcsinh(z / 2))


def test_Q_alpha_closed_form_and_tiny_alpha():
    rng = np.random.default_rng(0)
    beta = rng.standard_normal((3, 7))
    alpha = 0.3
    expected = alpha ** 2 * np.sum(naive_q(beta / alpha ** 2), axis=-1)
    assert np.allclose(P.Q_alpha(beta, alpha), expected, rtol=1e-13)
    # alpha^2 = 1e-400 underflows; Q_alpha = sum |b| (ln|b| - 2 ln alpha) - |b| + O(alpha^2)
    b = np.array([0.5, -1.25, 0.0, 3.0])
    la = np.log(1e-200)
    log_b = np.log(np.abs(b), where=b != 0, out=np.zeros(4))
    asym = np.sum(np.abs(b) * (log_b - 2 * la) - np.abs(b))
    assert np.isclose(P.Q_alpha(b, 1e-200), asym, rtol=1e-14)
    assert P.Q_alpha(np.zeros(3), 0.0) == 0.0
    assert P.Q_alpha(b, 0.0) == np.inf


def test_Q_alpha_equals_entropy_penalty_for_scalar_init():
    b = np.array([0.2, -0.7, 1e-9, 5.0])
    for alpha in (1e-1, 1e-3, 1e-6):
        assert np.isclose(P.entropy_penalty(b, alpha), P.Q_alpha(b, alpha), rtol=1e-14)


# ----------------------------------------------------------------------------
# entropy penalty
# ----------------------------------------------------------------------------
def test_entropy_gradient_is_flow_dual_variable():
    # phi'(beta) = z where beta = A e^z - B e^-z (the exact flow's reparametrisation);
    # covers both the direct and the log-form branches (|beta|/kappa up to ~1e12).
    rng = np.random.default_rng(1)
    D = 9
    params = np.abs(rng.standard_normal((4, D))) * np.logspace(-6, 0, D)
    log_A, log_B = log_AB(params)
    A, B = np.exp(log_A), np.exp(log_B)
    for z in (rng.uniform(-3, 3, D), rng.uniform(-25, 25, D)):
        beta = A * np.exp(z) - B * np.exp(-z)
        h = 1e-6 * np.maximum(np.abs(beta), 1e-12)
        fd = (P.entropy_terms(beta + h, log_A, log_B)
              - P.entropy_terms(beta - h, log_A, log_B)) / (2 * h)
        assert np.allclose(fd, z, rtol=1e-6, atol=1e-6)


def test_entropy_minimum_at_initial_predictor_and_branch_continuity():
    rng = np.random.default_rng(2)
    params = np.abs(rng.standard_normal((4, 6))) + 0.1
    la, lb = log_AB(params)
    beta0 = np.exp(la) - np.exp(lb)
    phi0 = P.entropy_terms(beta0, la, lb)
    for eps in (1e-3, -1e-3, 0.5, -0.5):
        assert np.all(P.entropy_terms(beta0 + eps, la, lb) > phi0)
    # continuity across the direct / log-form switch at ln|beta/kappa| = 20
    lk = np.log(1e-3)
    b = np.exp(20.0 + lk) * np.array([1 - 1e-12, 1 + 1e-12])
    v = P.entropy_terms(b, lk, lk)
    assert abs(v[1] - v[0]) < 1e-9 * abs(v[0])


def test_entropy_degenerate_coordinates_are_sign_constrained_limits():
    b = np.array([-2.0, -0.3, 0.0, 0.4])
    log_B = np.log(0.7)
    limit = P.entropy_terms(b, -np.inf, log_B)
    assert limit[3] == np.inf and limit[2] == 0.0
    expected = np.abs(b[:2]) * (np.log(np.abs(b[:2]) / 0.7)) - np.abs(b[:2])
    assert np.allclose(limit[:2], expected, rtol=1e-14)
    # kappa -> 0 with B fixed, beta < 0: kappa q(beta/kappa) - delta beta
    # = |beta| ln(|beta|/B) - |beta| + 2 kappa + O(kappa^2 / |beta|)
    for A in (1e-8, 1e-14):
        kappa = np.sqrt(A * 0.7)
        near = P.entropy_terms(b, np.log(A), log_B)
        assert near[2] == 0.0
        assert np.allclose(near[:2] - limit[:2], 2 * kappa, rtol=0,
                           atol=10 * kappa ** 2 / 0.3 + 1e-14)
    grows = [P.entropy_terms(b[3], np.log(A), log_B) for A in (1e-4, 1e-14)]
    assert grows[1] > grows[0] > 0
    mirror = P.entropy_terms(-b, log_B, -np.inf)
    assert np.array_equal(mirror, limit)
    both = P.entropy_terms(b, -np.inf, -np.inf)
    assert np.array_equal(both, [np.inf, np.inf, 0.0, np.inf])


def test_ptft_penalty_equals_entropy_penalty_of_finetune_init():
    rng = np.random.default_rng(3)
    pre = np.abs(rng.standard_normal((4, 5)))
    beta = rng.standard_normal((2, 5))
    init = finetune_init(pre, 0.3, 0.05)
    assert np.allclose(P.ptft_penalty(beta, pre, 0.3, 0.05), P.entropy_penalty(beta, init),
                       rtol=1e-14)
    rel = P.ptft_penalty(beta, pre, 0.3, 0.05, relative=True, reduce=False)
    assert np.all(rel >= 0)
    la, lb = log_AB(init)
    at0 = P.ptft_penalty(np.exp(la) - np.exp(lb), pre, 0.3, 0.05, relative=True, reduce=False)
    assert np.allclose(at0, 0.0, atol=1e-15)


def test_exact_ptft_constants_closed_form():
    # balanced pretrained w+ = v+ = sqrt(a), w- = v- = 0, finetune (s, c):
    # A B = (s^4 a^2 + 4 c^4) / 16 (docs/penalties.md)
    a = np.array([0.0, 0.2, 1.0, 7.0])
    s, c = 0.7, 0.2
    la, lb = log_AB(finetune_init(P.balanced_params(a), s, c))
    kappa = np.exp(0.5 * (la + lb))
    assert np.allclose(kappa, np.sqrt(s ** 4 * a ** 2 + 4 * c ** 4) / 4, rtol=1e-14)


def test_exact_ptft_with_zero_readout_is_ideal_with_half_rescale():
    # c = 0: A = B = s^2 |a| / 4, i.e. LL's k with s -> s/2 (measured gap, docs/penalties.md)
    a = np.array([-1.5, 0.3, 2.0])
    beta = np.array([[0.1, -0.4, 3.0], [1.0, 2.0, -0.5]])
    exact = P.ptft_penalty(beta, P.balanced_params(a), 0.8, 0.0)
    ideal = P.ptft_ideal_penalty(beta, a, 0.4, 0.0)
    assert np.allclose(exact, ideal, rtol=1e-13)


def test_norms():
    B = np.array([[3.0, 4.0], [0.0, -2.0], [1.0, 0.0]])
    assert P.l12(B) == 5.0 + 2.0 + 1.0
    assert P.l1(B[:, 1]) == 6.0
    assert np.allclose(P.l1(B.T), [4.0, 6.0])


def _balanced_multi_params(B):
    """Params (T + 1, 2, D) of the MTL layout realising B (D, T) with the least ||theta||^2.

    Per feature a shared weight w_d = sqrt(||B_d||) and readouts v_td = B_dt / w_d
    (w_d^2 + ||v_d||^2 = 2 ||B_d||). A row of one sign goes through one pathway with
    non-negative weights (+ for B_d >= 0, - for B_d <= 0); a row of mixed signs
    through the + pathway with signed readouts.
    """
    D, T = B.shape
    P = np.zeros((T + 1, 2, D))
    for d in range(D):
        w = np.sqrt(np.linalg.norm(B[d]))
        if w == 0:
            continue
        side, sign = (1, -1.0) if np.all(B[d] <= 0) else (0, 1.0)
        P[0, side, d] = w
        P[1:, side, d] = sign * B[d] / w
    return P


def test_mtl_weight_decay_objective_is_the_balanced_training_loss():
    """data + 2 lambda ||B||_{1,2} = the weight-decayed loss at the balanced
    factorisation; unbalancing a feature keeps B and raises the loss."""
    from featreuse.solvers.diagonal import beta_multi
    rng = np.random.default_rng(12)
    D, ns = 9, (7, 5)
    Xs = [rng.standard_normal((n, D)) for n in ns]
    ys = [rng.standard_normal(n) for n in ns]
    B = rng.standard_normal((D, 2))
    B[0] = np.abs(B[0])    # positive row: + pathway
    B[1] = -np.abs(B[1])   # negative row: - pathway
    B[2] = 0.0             # unused feature
    omega, lam = np.array([0.3, 1.7]), 0.05

    def training_loss(params):
        beta = beta_multi(params)
        data = sum(w * np.sum((X @ beta[:, t] - y) ** 2)
                   for t, (X, y, w) in enumerate(zip(Xs, ys, omega)))
        return data + lam * np.sum(params ** 2)

    params = _balanced_multi_params(B)
    np.testing.assert_allclose(beta_multi(params), B, rtol=0, atol=1e-15)
    objective = P.mtl_weight_decay_objective(B, Xs, ys, lam, omega)
    assert objective == pytest.approx(training_loss(params), rel=1e-12)
    # unbalancing a feature (w -> c w, v -> v / c) keeps B and raises the loss
    for c in (0.5, 0.9, 1.1, 3.0):
        other = params.copy()
        other[0, :, 4] *= c
        other[1:, :, 4] /= c
        np.testing.assert_allclose(beta_multi(other), B, atol=1e-14)
        assert training_loss(other) > objective
    # lambda = 0 leaves the data term alone
    data = sum(w * np.sum((X @ B[:, t] - y) ** 2) for t, (X, y, w) in enumerate(zip(Xs, ys, omega)))
    assert P.mtl_weight_decay_objective(B, Xs, ys, 0.0, omega) == pytest.approx(data, rel=1e-14)
    with pytest.raises(InputError, match=r"B must have shape \(9, 2\)"):
        P.mtl_weight_decay_objective(B.T, Xs, ys, lam, omega)
    with pytest.raises(InputError, match="sample_weights"):
        P.mtl_weight_decay_objective(B, Xs, ys, lam, [1.0, -1.0])
    with pytest.raises(InputError, match="weight_decay"):
        P.mtl_weight_decay_objective(B, Xs, ys, -1.0, omega)


# ----------------------------------------------------------------------------
# MTL / PT+FT per-feature penalties, l-order and feature dependence
# ----------------------------------------------------------------------------
def test_mtl_penalty_homogeneous_and_matches_group_norm():
    rng = np.random.default_rng(4)
    b, a = rng.standard_normal(8), rng.standard_normal(8)
    B = np.stack([a, b], axis=1)
    assert np.isclose(P.mtl_conditional_penalty(b, a), P.l12(B) - P.l1(a), rtol=1e-13)
    for lam in (0.01, 3.0, 1e5):
        assert np.isclose(P.mtl_conditional_penalty(lam * b, lam * a),
                          lam * P.mtl_conditional_penalty(b, a), rtol=1e-13)
    # no cancellation for beta << beta_aux: R = beta^2 / (2|a|) (1 + O(beta^2/a^2))
    assert np.isclose(P.mtl_conditional_penalty(1e-10, 2.0), 1e-20 / 4, rtol=1e-15)


@pytest.mark.parametrize("beta", [1e-3, 0.5, 1.0, 20.0])
def test_mtl_order_plus_dependence_is_one(beta):
    a = np.logspace(-3, 3, 13)
    o, d = P.l_order("mtl", beta, a), P.feature_dependence("mtl", beta, a)
    assert np.allclose(o + d, 1.0, rtol=0, atol=1e-14)

    def R(b, x):
        return P.mtl_conditional_penalty(b, x, reduce=False)
    assert np.allclose(P.l_order(R, beta, a), o, atol=1e-9)
    assert np.allclose(P.feature_dependence(R, beta, a), d, atol=1e-9)


def test_mtl_order_limits():
    assert np.isclose(P.l_order("mtl", 1.0, 0.0), 1.0)
    assert np.isclose(P.l_order("mtl", 1e-6, 1.0), 2.0, atol=1e-11)
    assert np.isclose(P.feature_dependence("mtl", 1e-6, 1.0), -1.0, atol=1e-11)


def test_ptft_ideal_homogeneous_only_without_readout_init():
    a = np.logspace(-2, 2, 9)
    for beta in (0.01, 1.0, 30.0):
        o = P.l_order("ptft_ideal", beta, a, rescale=0.5, readout_init=0.0)
        d = P.feature_dependence("ptft_ideal", beta, a, rescale=0.5, readout_init=0.0)
        assert np.allclose(o + d, 1.0, atol=1e-13)

        def R(b, x):
            return P.ptft_ideal_penalty(b, x, 0.5, 0.0, reduce=False)
        assert np.allclose(P.l_order(R, beta, a), o, atol=1e-9)
        assert np.allclose(P.feature_dependence(R, beta, a), d, atol=1e-9)
    # c > 0 breaks homogeneity: order + dependence = 1 - (c^2 / k)(1 - order) < 1
    c = 0.3
    o = P.l_order("ptft_ideal", 1.0, a, readout_init=c)
    d = P.feature_dependence("ptft_ideal", 1.0, a, readout_init=c)
    k = a + c ** 2
    assert np.allclose(o + d, 1 - c ** 2 / k * (1 - o), atol=1e-13)
    # order >= 1 for q, so the sum exceeds 1; most where c^2 dominates k
    assert np.all(o + d > 1) and np.max(o + d - 1) > 0.4

    def R(b, x):
        return P.ptft_ideal_penalty(b, x, 1.0, c, reduce=False)
    assert np.allclose(P.feature_dependence(R, 1.0, a), d, atol=1e-9)


def test_exact_ptft_order_plus_dependence():
    a = np.logspace(-2, 2, 9)
    o = P.l_order("ptft", 1.0, a, rescale=1.0, readout_init=0.0)
    d = P.feature_dependence("ptft", 1.0, a, rescale=1.0, readout_init=0.0)
    assert np.allclose(o + d, 1.0, atol=1e-8)  # c = 0: jointly 1-homogeneous


# ----------------------------------------------------------------------------
# ReLU finetuning penalty
# ----------------------------------------------------------------------------
def test_relu_quartic_root_is_true_minimiser():
    rng = np.random.default_rng(5)
    beta = rng.standard_normal(40) * 2
    aux = np.abs(rng.standard_normal(40)) * 3
    theta = rng.uniform(-1, 1, 40)
    v0 = 0.2
    R, m = P.relu_ft_penalty(beta, aux, theta, v0, reduce=False, return_norm=True)
    m0 = np.sqrt(aux)
    quartic = m ** 4 - m0 * theta * m ** 3 + v0 * beta * m - beta ** 2
    scale = m ** 4 + np.abs(m0 * theta * m ** 3) + np.abs(v0 * beta * m) + beta ** 2
    assert np.all(np.abs(quartic) <= 1e-12 * scale)
    for i in range(40):
        def f(x):
            return (beta[i] / x - v0) ** 2 + x * x + m0[i] ** 2 - 2 * x * m0[i] * theta[i]
        # the objective is not unimodal in general: scan, then refine around the best cell
        grid = np.logspace(-4, 2, 4001)
        j = int(np.argmin(f(grid)))
        ref = minimize_scalar(f, bounds=(grid[max(j - 1, 0)], grid[min(j + 1, 4000)]),
                              method="bounded", options={"xatol": 1e-13})
        assert R[i] <= ref.fun + 1e-12 * max(1.0, ref.fun)
        assert np.isclose(R[i], ref.fun, rtol=1e-10)


def test_relu_zero_beta_closed_form():
    aux = np.array([1.0, 4.0, 4.0])
    theta = np.array([0.5, -0.3, 1.0])
    R = P.relu_ft_penalty(0.0, aux, theta, 0.1, reduce=False)
    m0 = np.sqrt(aux)
    assert np.allclose(R, 0.01 + m0 ** 2 * (1 - np.maximum(theta, 0) ** 2), rtol=1e-15)


# ----------------------------------------------------------------------------
# input validation
# ----------------------------------------------------------------------------
def test_bad_inputs_raise_typed_errors():
    with pytest.raises(InputTypeError, match="z"):
        P.q("abc")
    with pytest.raises(InputError, match="z"):
        P.q([1.0, np.nan])
    with pytest.raises(InputError, match="alpha"):
        P.Q_alpha([1.0], -1.0)
    with pytest.raises(InputError, match="init"):
        P.entropy_penalty(np.ones(3), np.ones((4, 2)))
    with pytest.raises(InputError, match="beta"):
        P.entropy_penalty(1.0, 0.1)
    with pytest.raises(InputError, match="theta"):
        P.relu_ft_penalty(1.0, 1.0, 1.5)
    with pytest.raises(InputError, match="readout_init"):
        P.relu_ft_penalty(1.0, 1.0, 0.5, -0.1)
    with pytest.raises(InputError, match="broadcast"):
        P.mtl_conditional_penalty(np.ones(3), np.ones(4))
    with pytest.raises(InputError, match="penalty"):
        P.l_order("nope", 1.0, 1.0)
    with pytest.raises(InputTypeError, match="penalty"):
        P.l_order(42, 1.0, 1.0)
    with pytest.raises(InputError, match="theta"):
        P.l_order("relu_ft", 1.0, 1.0)
    with pytest.raises(InputError, match="B"):
        P.l12(np.ones(3))
    with pytest.raises(InputError, match="log_A"):
        P.entropy_terms(1.0, np.inf, 0.0)
    with pytest.raises(InputError, match="rescale"):
        P.ptft_ideal_penalty(1.0, 1.0, rescale=0.0)


# ----------------------------------------------------------------------------
# agreement with the exact flow (independent method: Newton on the flow's dual)
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["random", "finetune"])
def test_flow_end_minimises_entropy_penalty_over_interpolants(kind):
    rng = np.random.default_rng(6)
    n, D = 6, 15
    X, y = rng.standard_normal((n, D)), rng.standard_normal(n)
    if kind == "random":
        init = np.abs(rng.standard_normal((4, D))) * np.logspace(-3, 0, D)
    else:  # PT+FT from a balanced pretrained net; c = 0 freezes features with beta_aux = 0
        aux = rng.standard_normal(D) * (rng.random(D) < 0.6)
        init = finetune_init(P.balanced_params(aux), 0.5, 0.0)
    log_A, log_B = log_AB(init)
    end = reduced_flow.flow_end(X, y, log_A, log_B)
    beta = end.beta
    assert np.max(np.abs(X @ beta - y)) < 1e-9
    phi = P.entropy_penalty(beta, init)
    assert np.isfinite(phi)
    # directions that keep X beta = y (and frozen coordinates at 0)
    free = np.isfinite(log_A) & np.isfinite(log_B)
    _, _, Vt = np.linalg.svd(X[:, free])
    null = Vt[n:]
    for h_free in null[:5]:
        h = np.zeros(D)
        h[free] = h_free
        # a first-order gap would show up at the smallest step
        for eps in (1e-1, 1e-3, 1e-5):
            assert P.entropy_penalty(beta + eps * h, init) > phi
            assert P.entropy_penalty(beta - eps * h, init) > phi
