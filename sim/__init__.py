"""trauma-sim: discrete-event simulation of emergency trauma response in Zhejiang.

The public API is re-exported here; notebooks use only these names.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
