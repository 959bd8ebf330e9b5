"""Settings of CHS's alternating multi-task algorithm (reconstruction: docs/chs.md)."""
from dataclasses import dataclass

from featreuse.errors import InputTypeError
from featreuse.validation import check_scalar


@dataclass(frozen=True)
class ChsTrainConfig:
    """Sizes, steps and sampling of the alternating algorithm (defaults: docs/chs.md).

    Every round resets the heads to 0, takes one gradient step on each head
    with ``head_samples`` fresh samples per task, then one weight-decayed
    gradient step on the shared layer with ``shared_samples`` fresh samples
    per task.

    Attributes
    ----------
    width : int
        Hidden units m.
    rounds : int
        Rounds (one head step and one shared step each).
    head_samples : int
        Fresh samples per task for the head step (n1).
    shared_samples : int
        Fresh samples per task for the shared step (n2).
    head_lr : float
        Step size of the head step.
    lr : float
        Step size of the shared-layer step.
    weight_decay : float
        ``lambda`` of the shared step ``W <- (1 - lr lambda) W - lr grad``.
    init_scale : float
        Rows of the initial ``W`` are ``N(0, init_scale^2 I_d / d)`` (norm ~ init_scale).
    shared_inputs : bool
        False: every task draws its own inputs each round; True: the tasks of a
        round share their inputs (only the labels differ).
    """

    width: int = 100
    rounds: int = 40
    head_samples: int = 200
    shared_samples: int = 200
    head_lr: float = 5.0
    lr: float = 1.0
    weight_decay: float = 0.1
    init_scale: float = 1.0
    shared_inputs: bool = False

    def checked(self):
        """Return ``self`` after checking every field.

        Raises
        ------
        InputError, InputTypeError
            Naming the field: counts must be integers >= 1, steps and
            ``init_scale`` > 0, ``weight_decay`` >= 0 with ``lr * weight_decay < 1``.
        """
        for name in ("width", "rounds", "head_samples", "shared_samples"):
            check_scalar(getattr(self, name), name, low=1, low_inclusive=True, integer=True)
        for name in ("head_lr", "lr", "init_scale"):
            check_scalar(getattr(self, name), name, low=0)
        check_scalar(self.weight_decay, "weight_decay", low=0, low_inclusive=True)
        # lr * weight_decay >= 1 would flip or zero W at every step
        check_scalar(self.lr * self.weight_decay, "lr * weight_decay", high=1.0 - 1e-12)
        if not isinstance(self.shared_inputs, bool):
            raise InputTypeError(f"shared_inputs must be a bool, got "
                                 f"{type(self.shared_inputs).__name__}")
        return self
