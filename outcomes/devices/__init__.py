"""Device and app data: MedX, DynaMo, actigraphy, weekly app ratings (models, services, pages)."""
