"""Ecommerce workflows: abandoned cart, welcome and re-engagement emails (docs/workflows.md)."""
