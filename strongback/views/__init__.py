"""Pages that compose several apps: role homes and the participant page."""
