"""agtOS's Ollama operations: status, installed models, pull, start (``service``)."""
