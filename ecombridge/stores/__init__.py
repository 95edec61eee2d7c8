"""Ecommerce stores: the store ids synced data is filed under, per portal and source."""
