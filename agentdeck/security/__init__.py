"""Authentication: shared token and password primitives, and one module per surface holding the
functions its spec's ``securitySchemes`` name."""
