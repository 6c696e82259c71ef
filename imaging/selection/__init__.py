"""Series selection by rules kept as data (in the spirit of MONAI Deploy's series selector)."""
