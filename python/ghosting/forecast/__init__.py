"""Forecast mode (Big Data Bowl 2026's task): the targeted receiver and the defenders in
coverage for every frame of the flight, from what is known at the throw only
(docs/forecast.md).

``ForecastModel.load()`` loads the default model shipped in ``ghosting/forecast/default``;
``data`` cuts plays into player tokens; ``train`` (extra ``train``) and ``evaluate``
reproduce and judge it; ``submission`` writes the Big Data Bowl 2026 CSV.

>>> import ghosting
>>> ghosting.ForecastModel.load().card["licence"].startswith("Trained on NFL")
True
"""

from __future__ import annotations

from .model import DEFAULT_FORECAST_DIR, FORECAST_SCHEMA, ForecastModel

__all__ = ["ForecastModel", "DEFAULT_FORECAST_DIR", "FORECAST_SCHEMA"]
