"""The audit trail: who changed what, when, why, through which channel (21 CFR 11.10(e))."""
