"""agtOS model registry: the catalog (``catalog``), what is downloaded (``registry``) and the
verified, resumable download (``download``)."""
