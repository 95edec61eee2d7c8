"""The legacy CRM objects API (``/crm-objects/v1``) over the CRM objects, as hubspot3's products
and line items clients read it."""
