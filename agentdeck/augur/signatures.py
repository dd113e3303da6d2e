"""Signatures computed once, for functions Connexion calls on the hot ingest path.

Connexion inspects the signature of a handler and of a security function on every request
(``inspect.signature``, about 25 µs each, several times a request). A function carrying an
explicit ``__signature__`` is answered from it at once.
"""
from __future__ import annotations

import inspect


def fixed_signature(func):
    """Decorator: store ``func``'s signature on it so that inspecting it is a lookup."""
    func.__signature__ = inspect.signature(func)
    return func
