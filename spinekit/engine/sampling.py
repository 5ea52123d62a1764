"""Random streams and three-point distributions: the draws Monte Carlo simulation is made of.

Every task, risk and cost has its own stream, keyed by the seed, a kind and its id, so a change
to one leaves the draws of the others as they were (common random numbers between scenarios).
"""

from __future__ import annotations

import hashlib

import numpy as np

from spinekit.model.domain import Duration

__all__ = ["stream", "pert_shape", "quantile", "draw", "normal_cdf"]


def stream(seed: int, kind: str, key: str) -> np.random.Generator:
    """The random stream of one task, risk or cost, independent of every other stream."""
    digest = hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).digest()
    spawn_key = (int.from_bytes(digest, "little"),)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))


# -- distributions --------------------------------------------------------------------------


def pert_shape(d: Duration) -> tuple[float, float]:
    span = d.max - d.min
    return 1 + 4 * (d.likely - d.min) / span, 1 + 4 * (d.max - d.likely) / span


def quantile(d: Duration, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of duration ``d`` at probabilities ``u``."""
    if d.is_fixed:
        return np.full(u.shape, float(d.likely))
    lo, mode, hi = d.min, d.likely, d.max
    span = hi - lo
    if d.dist == "uniform":
        return lo + span * u
    if d.dist == "triangular":
        return np.where(
            u * span < mode - lo,
            lo + np.sqrt(u * span * (mode - lo)),
            hi - np.sqrt((1 - u) * span * (hi - mode)),
        )
    from scipy.special import betaincinv

    a, b = pert_shape(d)
    q: np.ndarray = lo + span * betaincinv(a, b, u)
    return q


def draw(d: Duration, gen: np.random.Generator, n: int) -> np.ndarray:
    """``n`` independent draws of duration ``d``."""
    if d.is_fixed:
        return np.full(n, float(d.likely))
    if d.dist == "pert":
        a, b = pert_shape(d)
        return d.min + (d.max - d.min) * gen.beta(a, b, n)
    return quantile(d, gen.random(n))


def normal_cdf(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    p: np.ndarray = ndtr(z)
    return p
