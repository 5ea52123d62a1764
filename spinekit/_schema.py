"""The pydantic base shared by spinekit's file schemas (programme, scenarios, catalogue)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A schema that refuses unknown keys (so a misspelt key is reported, not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
