"""The trial's statistical analysis: the analysis dataset, the SAP as pure functions, the report."""

# Recorded with every analysis run; bump when a change alters results.
ANALYSIS_VERSION = "sap-1.0"
