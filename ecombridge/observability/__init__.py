"""Operational visibility: Prometheus metrics of the sync pipeline and the queue."""
