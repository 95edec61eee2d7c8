"""The relay: a portal's data delivered into HubSpot portals through CRM v3 (docs/relay.md)."""
