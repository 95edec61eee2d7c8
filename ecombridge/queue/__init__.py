"""The durable job queue: jobs table, leases, retries, handlers per kind, and the workers."""
