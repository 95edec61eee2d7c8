"""Ecommerce sync settings (property mappings) of an app or of a portal's custom integration."""
