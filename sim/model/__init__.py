"""The SimPy model: thin processes wired in system.py."""
