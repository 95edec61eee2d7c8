"""The account information API: the portal's details and its daily API usage."""
