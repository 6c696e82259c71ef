"""Importers for device and app exports: pure parsing (``table``, ``dynamo``, ``mmp``) and the
service that previews, commits and audits an import (``outcomes.imports.service``)."""
