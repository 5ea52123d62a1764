"""The catalogue layer: the Spine catalogue, scope expansion, starter programmes, presets and reading programmes."""
