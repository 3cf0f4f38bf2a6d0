"""Importers: turn an export file (SP4N-LAPOR!, the Pantau template, or any CSV/XLSX through a
mapping file) into the canonical complaint frame. They read and translate only; analytics.importers.ingest
validates, matches names and writes to the store."""
