"""The SimPy model: thin processes and timed callbacks, wired in system.py."""
