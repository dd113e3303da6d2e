"""agtOS runtime settings (``store``) and their schema (``schema``)."""
