"""The interop layer: plans exchanged with other planning tools (TaskJuggler)."""
