"""Muscle metrics (pure numpy/scipy/scikit-learn, no Django): levels, CSA, volume, fat."""
