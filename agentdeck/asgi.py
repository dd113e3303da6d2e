"""The ASGI entry point for uvicorn and gunicorn: ``agentdeck.asgi:app``."""
from agentdeck.app import create_app

app = create_app()
