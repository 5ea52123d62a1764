"""Which catalogue item a task's name names: the rule `import` tags kinds by and `new --merge` finds tasks by."""

from __future__ import annotations

import re

from spinekit.catalogue.load import Catalogue

__all__ = ["plain_name", "catalogue_kinds"]

_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def plain_name(name: str) -> str:
    """A task or item name without trailing qualifiers like "(INT)", in lower case, spaces collapsed.

    >>> plain_name("ASID issued  (INT) (organisation 1)")
    'asid issued'
    """
    previous = None
    while previous != name:
        previous, name = name, _QUALIFIER.sub("", name)
    return " ".join(name.lower().split())


def catalogue_kinds(catalogue: Catalogue | None = None) -> dict[str, str | None]:
    """Catalogue item names (as :func:`plain_name` gives them) to the item id; ``None`` where two
    items share a name, so that such a name tags nothing."""
    if catalogue is None:
        from spinekit.catalogue.load import load_catalogue

        catalogue = load_catalogue()
    kinds: dict[str, str | None] = {}
    for item in catalogue.items:
        names = {plain_name(item.name)}
        if item.production is not None and getattr(item.production, "name", None):
            names.add(plain_name(str(item.production.name)))
        for name in names:
            kinds[name] = item.id if kinds.get(name, item.id) == item.id else None
    return kinds
