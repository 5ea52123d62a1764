"""The scope explorer: a pure state model (:mod:`.state`), its ipywidgets (:mod:`.widgets`) and
its local Voilà server (:mod:`.serve`)."""

from spinekit.views.explorer.state import (
    ASSURANCE,
    Difference,
    ExplorerBase,
    ExplorerResult,
    ExplorerState,
    LeadTime,
    evaluate,
)
from spinekit.views.explorer.widgets import (
    FILE_VARIABLE,
    FOLDER_VARIABLE,
    Explorer,
    build_explorer,
    read_base,
    save_setting,
)

__all__ = [
    "ASSURANCE",
    "Difference",
    "Explorer",
    "ExplorerBase",
    "ExplorerResult",
    "ExplorerState",
    "FILE_VARIABLE",
    "FOLDER_VARIABLE",
    "LeadTime",
    "build_explorer",
    "evaluate",
    "read_base",
    "save_setting",
]
