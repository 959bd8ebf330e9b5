"""ROS34PW2 (:func:`featreuse.solvers.multi_flow.steppers.rosenbrock_step`) on y' = A y.

The exact solution is ``expm(t A) y0``. At fixed steps the global error at t = 1 falls by
2^3 when the step halves (order 3), whatever the W-method's matrix (the exact A, a crude
approximation of it, or 0), and the embedded error estimate is O(h^3) per step.
"""
import numpy as np
import pytest
import scipy.linalg

from featreuse.solvers.multi_flow.steppers import ORDER_EST, rosenbrock_step

#: a stiff-ish, non-normal linear problem (eigenvalues -1, -3, -10) and its start
A = np.array([[-1.0, 2.0, 0.0],
              [0.0, -3.0, 1.0],
              [0.0, 0.0, -10.0]])
Y0 = np.array([1.0, -0.5, 2.0])


def _integrate(W, n):
    """n fixed steps of size 1/n from Y0; W is the W-method's matrix."""
    h = 1.0 / n
    y = Y0.copy()
    for _ in range(n):
        y, _ = rosenbrock_step(lambda v: A @ v, lambda b, c: np.linalg.solve(c * np.eye(3) - W, b),
                               y, A @ y, h)
    return y


@pytest.mark.parametrize("W", [A, 0.5 * A + 0.1 * np.eye(3), np.zeros((3, 3))],
                         ids=["exact Jacobian", "approximate", "zero"])
def test_global_error_falls_by_two_cubed_when_the_step_halves(W):
    exact = scipy.linalg.expm(A) @ Y0
    n0 = 40 if np.any(W) else 80  # W = 0 is explicit: keep h |lambda| inside its stability region
    errors = [np.linalg.norm(_integrate(W, n) - exact) for n in (n0, 2 * n0, 4 * n0)]
    ratios = [errors[0] / errors[1], errors[1] / errors[2]]
    orders = np.log2(ratios)
    assert np.all(np.abs(orders - 3.0) < 0.25), (errors, orders)


def test_error_estimate_is_of_order_three_per_step():
    """The embedded estimate of one step from Y0 scales as h^ORDER_EST."""
    def estimate(h):
        def solve(b, c):
            return np.linalg.solve(c * np.eye(3) - A, b)
        _, err = rosenbrock_step(lambda v: A @ v, solve, Y0, A @ Y0, h)
        return np.linalg.norm(err)
    hs = [1e-2, 5e-3, 2.5e-3]
    slopes = np.diff(np.log([estimate(h) for h in hs])) / np.diff(np.log(hs))
    assert ORDER_EST == 3
    assert np.all(np.abs(slopes - ORDER_EST) < 0.2), slopes


def test_one_step_keeps_the_shape_of_the_state_and_calls_solve_four_times():
    calls = []

    def solve(b, c):
        calls.append(c)
        return b / c

    y = np.ones((2, 2, 3))
    y1, err = rosenbrock_step(lambda v: -v, solve, y, -y, 0.1)
    assert y1.shape == err.shape == y.shape and len(calls) == 4
    assert np.all(np.isfinite(y1))
