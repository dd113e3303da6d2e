"""Blob keys never escape the store; appends are bounded and safe under concurrency."""
import threading

import pytest

from agentdeck.blobs import BlobKeyError, FilesystemBlobStore
from agentdeck.errors import PayloadTooLarge


@pytest.mark.parametrize("key", ["../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", ".hidden", "a\\b", "", "a/b/"])
def test_unsafe_keys_are_refused(tmp_path, key):
    with pytest.raises(BlobKeyError):
        FilesystemBlobStore(tmp_path).put(key, b"x")


def test_put_get_list(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    store.put("run/screens/0001_pre.png", b"\x89PNG")
    assert store.get("run/screens/0001_pre.png") == b"\x89PNG"
    assert store.list("run") == ["run/screens/0001_pre.png"]
    assert store.get("run/none") is None


def test_append_bound_and_concurrency(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    threads = [threading.Thread(target=lambda i=i: [store.append("log", f"{i}:{n}\n".encode(), 10_000) for n in range(50)])
               for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    lines = store.get("log").decode().splitlines()
    assert len(lines) == 400 and len(set(lines)) == 400
    with pytest.raises(PayloadTooLarge):
        store.append("log", b"x" * 10_000, 10_000)
    assert len(store.get("log").decode().splitlines()) == 400
