"""The model catalog: the shipped file is valid and is in the built wheel; a catalog that is
not usable says which entry and why."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from agentdeck.agtos.models import catalog

ROOT = Path(__file__).resolve().parents[3]


def test_the_shipped_catalog_is_valid_and_names_every_field():
    models = catalog._parse(catalog.SHIPPED.read_text(), catalog.SHIPPED)
    assert "kokoro-int8-multi-v1" in models and "moonshine-tiny-en-v2" in models
    for model in models.values():
        assert model.url.startswith("https://") and model.name and model.type in {"stt", "tts", "vad"}


@pytest.mark.parametrize("text, message", [
    ("models: 3", "expected a `models` list"),
    ("models:\n  - {id: 'a b', name: n, type: t, family: f, format: o, sizeBytes: 1, url: 'http://x'}", "`id`"),
    ("models:\n  - {id: a, name: n, type: t, family: f, format: o, sizeBytes: -1, url: 'http://x'}", "`sizeBytes`"),
    ("models:\n  - {id: a, name: n, type: t, family: f, format: o, sizeBytes: 1, url: 'http://x', sha256: zz}", "`sha256`"),
    ("models:\n  - {id: a, name: n, type: t, family: f, format: o, sizeBytes: 1, url: 'http://x'}\n"
     "  - {id: a, name: n, type: t, family: f, format: o, sizeBytes: 1, url: 'http://x'}", "duplicate id"),
])
def test_an_unusable_catalog_says_why(text, message):
    with pytest.raises(catalog.CatalogError, match=message.replace("`", ".")):
        catalog._parse(text, Path("c.yaml"))


@pytest.mark.skipif(os.environ.get("AGENTDECK_TEST_DB") == "postgres", reason="packaging is checked once, in the SQLite run")
def test_the_wheel_carries_the_catalog(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("agentdeck-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("agentdeck/agtos/models/catalog.yaml").decode()
    assert text == catalog.SHIPPED.read_text()
