"""Sampling-noise bands: how far a Monte Carlo estimate strays when there is nothing to find.

A driver (a task's rank correlation with the finish or the cost, or how often it is critical)
is shown only when it lies outside the band that sampling noise alone fills, for the number
of iterations run, at the :data:`NOISE_LEVEL` significance level.
"""

from __future__ import annotations

import math

__all__ = ["NOISE_LEVEL", "sensitivity_noise", "criticality_noise"]

#: Significance level of the noise bands: a driver is shown when sampling noise alone would
#: put it where it is in fewer than this share of runs.
NOISE_LEVEL = 0.05


def sensitivity_noise(iterations: int, level: float = NOISE_LEVEL) -> float:
    """Half-width of the band a rank correlation falls in by sampling noise alone.

    A task whose duration has no effect on the finish still shows a Spearman correlation over
    ``iterations`` samples; it lies outside ``±band`` with probability ``level``. This is the
    band of the usual test (and of ``scipy.stats.spearmanr``'s p-value): ``t = r sqrt((n - 2) /
    (1 - r²))`` on ``n - 2`` degrees of freedom, solved for ``r`` at the two-sided critical
    ``t``. About ``1.96 / sqrt(n)`` for many iterations.

    Examples
    --------
    >>> round(sensitivity_noise(10_000), 4), round(sensitivity_noise(50), 4)
    (0.0196, 0.2787)
    """
    from scipy.special import stdtrit

    if iterations < 3:
        return 1.0
    df = iterations - 2
    t = float(stdtrit(df, 1 - level / 2))
    return t / math.sqrt(df + t * t)


def criticality_noise(iterations: int, level: float = NOISE_LEVEL) -> float:
    """The smallest criticality that ``iterations`` runs tell apart from zero.

    A task truly critical in a share ``p`` of runs is never critical in ``n`` runs with
    probability ``(1 - p)^n``; at ``p = 1 - level^(1/n)`` that is ``level``. A criticality at
    or below this band is within sampling noise of a task that is never critical (about
    ``3 / n`` at the 5 % level: the "rule of three").

    Examples
    --------
    >>> round(criticality_noise(10_000), 6), round(criticality_noise(100), 4)
    (0.0003, 0.0295)
    """
    return 1.0 - math.pow(level, 1.0 / max(iterations, 1))
