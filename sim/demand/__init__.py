"""Demand: incidents and patients drawn before the run."""
