"""The README's configuration table names every setting agentdeck reads."""
from pathlib import Path

from agentdeck.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_readme():
    text = README.read_text()
    missing = [env for env, _help, _default in Settings.documented() if f"`{env}`" not in text]
    assert missing == [], "add these to README.md's Configuration table"
