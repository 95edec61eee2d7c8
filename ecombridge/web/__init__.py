"""The web UI: server-rendered pages over the portal's ecommerce data, behind a sign-in."""
