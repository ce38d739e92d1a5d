"""Demand: incidents and patients, drawn in weekly chunks ahead of their arrivals."""
