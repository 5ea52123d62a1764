"""The views layer: figures, the report and batch, the scope explorer and its server, notebook display."""
