"""The blinded and by-arm outcome dashboards (data, panels, charts, pages)."""
