"""The agtOS surface's own platform: health, metrics, system info, voice status, setup token."""
