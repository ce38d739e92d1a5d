"""Key performance indicators computed from a run's event log."""
