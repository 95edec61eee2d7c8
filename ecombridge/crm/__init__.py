"""The CRM view of synced data: HubSpot's CRM v3 object read/search API and v4 associations."""
