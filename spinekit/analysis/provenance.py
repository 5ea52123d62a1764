"""Why each task is here: the catalogue rule behind every generated task, as tables.

A task that ``spinekit new`` (scope expansion) generated carries the :class:`~spinekit.Rule`
that produced it; :func:`task_rules` lays those out one row per task, and :func:`why_here_table`
is the report appendix's shorter reading of the same rows. Hand-written tasks have no rule and
no row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spinekit.model.domain import Programme

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RULE_COLUMNS", "task_rules", "why_here_table"]

#: Columns of :func:`task_rules`, in order; list fields are text, items separated by ", ".
RULE_COLUMNS = (
    "task",
    "name",
    "item",
    "service",
    "interface",
    "operations",
    "repeat",
    "environment",
    "organisation",
    "wave",
    "route",
    "needed_by",
    "sources",
)


def task_rules(programme: Programme) -> pd.DataFrame:
    """One row per generated task: the catalogue rule that put it in the plan.

    Columns :data:`RULE_COLUMNS`: the task id and name, then the rule's fields (see
    :class:`~spinekit.Rule`); missing values are None, lists are text joined by ", ".

    Examples
    --------
    >>> import spinekit
    >>> from spinekit.catalogue.programme import parse_programme
    >>> p = parse_programme({"name": "x", "start": "2027-01-04", "scope": {"services": ["pds"]}})
    >>> row = spinekit.task_rules(p).set_index("task").loc["api-application-pds-int"]
    >>> row["item"], row["service"], row["interface"], row["environment"]
    ('api-application', 'pds', 'fhir', 'int')
    """
    import pandas as pd

    rows = []
    for t in programme.tasks:
        rule = t.rule
        if rule is None:
            continue
        rows.append(
            {
                "task": t.id,
                "name": t.name,
                "item": rule.item,
                "service": rule.service,
                "interface": rule.interface,
                "operations": ", ".join(rule.operations),
                "repeat": ", ".join(rule.repeat),
                "environment": rule.environment,
                "organisation": rule.organisation,
                "wave": rule.wave,
                "route": rule.route,
                "needed_by": ", ".join(rule.needed_by),
                "sources": ", ".join(rule.sources),
            }
        )
    return pd.DataFrame(rows, columns=list(RULE_COLUMNS)).astype({"organisation": object, "wave": object})


def why_here_table(programme: Programme) -> pd.DataFrame:
    """The report's "why each task is here" appendix: one row per generated task.

    Columns: ``task``, ``catalogue item``, ``service/interface`` (or what needs a shared item),
    ``repeat/environment/organisation`` (how the item repeats, then which repeat this is),
    ``route`` (the assurance route) and ``sources`` (catalogue source ids).
    """
    import pandas as pd

    rows = []
    for t in programme.tasks:
        rule = t.rule
        if rule is None:
            continue
        serves = f"{rule.service}:{rule.interface}" if rule.service and rule.interface else rule.service
        repeat = " and ".join(r.replace("-", " ") for r in rule.repeat)
        where = [rule.environment or "", f"organisation {rule.organisation}" if rule.organisation else ""]
        where += [f"wave {rule.wave}"] if rule.wave is not None else []
        rows.append(
            {
                "task": t.id,
                "catalogue item": rule.item,
                "service/interface": serves or ", ".join(rule.needed_by),
                "repeat/environment/organisation": "; ".join(w for w in [repeat, *where] if w),
                "route": rule.route or "",
                "sources": ", ".join(rule.sources),
            }
        )
    columns = ["task", "catalogue item", "service/interface", "repeat/environment/organisation", "route", "sources"]
    return pd.DataFrame(rows, columns=columns)
