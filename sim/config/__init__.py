"""Scenario configuration: the validated specs (strict pydantic models) and their loaders.

Facilities and distributions are read here; nothing in this layer runs the model.
"""
