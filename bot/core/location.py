"""A shared location to a time zone, offline: timezonefinder ships the zone boundaries as data.

Loaded on first use (about 0.2 s) and kept; a lookup takes well under a millisecond.
"""

from __future__ import annotations

import math
from functools import lru_cache

from bot.core.schedule import is_valid_zone


@lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point (an "Etc/GMT+2" sea zone far from land), None for a bad point."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    zone = _finder().timezone_at(lat=latitude, lng=longitude)
    return zone if zone and is_valid_zone(zone) else None
