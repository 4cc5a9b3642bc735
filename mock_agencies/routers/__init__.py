"""HTTP routers of the mock agencies (one module per resource)."""
