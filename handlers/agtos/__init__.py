"""agtOS handlers, one module per resource (see openapi/agtos.yaml)."""
