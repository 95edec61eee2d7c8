"""The portal's CRM schema: properties of the four object types and the ecommerce pipeline."""
