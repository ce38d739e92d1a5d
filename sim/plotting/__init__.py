"""Committee outputs: charts, maps and the brief, with a bundled CJK font.

Importing this package changes no matplotlib setting; use
:func:`sim.plotting.style.brief_style` to apply the house style.
"""
