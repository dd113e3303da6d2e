"""owlette handlers: one module per resource, thin."""
