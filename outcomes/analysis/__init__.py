"""The trial's statistical analysis: the analysis dataset, the SAP as pure functions, the report."""
