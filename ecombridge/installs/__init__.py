"""The v1 install of the ecommerce bridge in a portal (portal key only)."""
