"""The analysis layer: scenario comparison, the plan health check and summaries in tables and words."""
