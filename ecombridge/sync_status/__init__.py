"""What became of synced objects: v1/v2 sync status and the sync-error listings."""
