"""One validation module for the whole package, strict everywhere (featreuse.validation)."""
import numpy as np
import pytest

import featreuse as fr
from featreuse.validation import as_float_array, check_choice, check_scalar


@pytest.mark.parametrize("value", [["1", "2"], np.array(["1", "2"]), "12", b"12"])
def test_strings_are_refused_with_a_typed_error_naming_the_argument(value):
    with pytest.raises(fr.InputTypeError, match="^X must be an array of numbers"):
        as_float_array(value, "X")


@pytest.mark.parametrize("value", [np.array([1 + 2j, 3.0]), [1.0, 2j]])
def test_complex_numbers_are_refused_not_silently_made_real(value):
    with pytest.raises(fr.InputTypeError, match="^X must be real"):
        as_float_array(value, "X")


@pytest.mark.parametrize("value", [["a"], {"a": 1}, np.array([1.0])])
def test_unhashable_choices_are_refused_with_a_typed_error(value):
    with pytest.raises(fr.InputError, match="^method must be one of"):
        check_choice(value, {"a", "b"}, "method")


def test_every_layer_refuses_the_same_inputs_with_the_same_class():
    # a nets function (torch side) and a solvers function (numpy side): one InputTypeError
    with pytest.raises(fr.InputTypeError, match="W_pre must be an array of numbers"):
        fr.nets.ptft_init([["1", "2"]], 1.0, 0)
    with pytest.raises(fr.InputTypeError, match="W_pre must be real"):
        fr.nets.ptft_init(np.array([[1j, 2.0]]), 1.0, 0)
    with pytest.raises(fr.InputTypeError, match="X must be an array of numbers"):
        fr.train_single([["1", "2"]], [1.0], init=1e-3)
    with pytest.raises(fr.solvers.InputError, match="method must be one of"):
        fr.train_single(np.eye(2), np.ones(2), method=["flow"])


def test_scalars_keep_their_kind_and_bounds_name_the_argument():
    assert check_scalar(3, "steps", low=1, integer=True) == 3
    assert isinstance(check_scalar(np.int64(3), "steps", integer=True), int)
    assert isinstance(check_scalar(1, "lr", low=0), float)
    for bad, kind in ((True, fr.InputTypeError), ("1", fr.InputTypeError), (np.nan, fr.InputError),
                      (0.0, fr.InputError)):
        with pytest.raises(kind, match="^lr "):
            check_scalar(bad, "lr", low=0)

