"""All SQL of the web UI: read queries per page, every one filtered by the portal."""
