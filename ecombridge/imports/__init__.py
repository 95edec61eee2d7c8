"""Historical imports: the bridge asks an app for its history (the import webhook), receives it in
pages (v1 and v2), and applies it through the sync engine once every object type has ended."""
