"""The model layer: the programme file's schema and parsing pieces, the calendar, errors and files.

It knows nothing above it: the engine, catalogue, analysis and views layers build on it.
"""
