"""agtOS memory: episodes, hybrid search, profile, conclusions, ask and importers.

``episodes`` stores and lists episodes (and publishes ``memory.episode.created``), ``embedding``
turns text into vectors through the configured embedder, ``search`` finds episodes by words and
by meaning, ``profile``/``conclusions``/``ask`` what is known about the user, ``importers``
reads other products' exports into episodes.
"""
