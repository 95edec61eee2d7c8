"""ecombridge: a self-hosted, wire-compatible Ecommerce Bridge."""

__version__ = "0.1.0"
