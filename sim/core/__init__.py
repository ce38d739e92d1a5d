"""Lowest layer: entities, the event log, random streams, units and errors.

Modules here import nothing else from ``sim``.
"""
