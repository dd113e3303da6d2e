"""The OpenAPI specs: one per surface, plus platform.yaml. They are the source of truth."""
