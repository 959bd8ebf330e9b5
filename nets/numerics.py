"""One MKL code path on every machine, so that torch's matmuls give the same bits everywhere.

torch's CPU matmuls (``mm``, ``bmm``, ``linear``) run in MKL, which picks its kernels
by the processor: the same float32 or float64 product differs in its last bits
between an AVX2 and an AVX-512 machine, and SGD carries such differences into every
later step. MKL's conditional numerical reproducibility (CNR) fixes the path:
with ``MKL_CBWR=AVX2`` every processor that has AVX2 runs the AVX2 kernels and
gives their bits (measured: an AVX-512 machine then matches itself limited to
AVX2, ``MKL_ENABLE_INSTRUCTIONS=AVX2``, bit for bit; docs/reproducibility.md).
MKL reads the variable once, when it starts (at the first matmul of the process),
so it is set before torch computes anything: when :mod:`featreuse.nets` is imported, by the
``featreuse`` command, and in every sweep worker. A value set by the user is kept
(``MKL_CBWR=AUTO`` restores MKL's choice of the fastest path).
"""
import os

#: the MKL code path every machine is pinned to (AVX2: x86-64 processors since 2013)
MKL_CBWR = "AVX2"


def pin_mkl_path():
    """Set ``MKL_CBWR`` (unless set) before MKL starts; returns the value in force."""
    return os.environ.setdefault("MKL_CBWR", MKL_CBWR)
