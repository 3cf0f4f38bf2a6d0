"""Dinding: the command-centre wall, for a 1920x1080 or 3840x2160 screen read from across a room.

Dark, large type, no menu or controls; the regency and its time on top; panels that turn every
``?putar=SECONDS`` (default 15): today's intake and Lewat batas now, the worst units, the map, the
newest breaches, the data's freshness. It refreshes its data by itself, without a reload
(ui/wall.py; docs/wall.md).
"""

from ui import wall
from ui.frame import page_frame

ctx = page_frame("nav.dinding", allow_empty=True, data_line=False)  # the wall redraws its own data line
wall.show(ctx)
