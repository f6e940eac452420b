"""Forecast mode (Big Data Bowl 2026's task): the targeted receiver and the defenders in
coverage for every frame of the flight, from what is known at the throw only
(docs/forecast.md)."""
