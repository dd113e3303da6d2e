"""The reference's "Common Workflows", run with curl against a real server as written (the base
URL substituted; for workflow 1, the provider lines point at echo or at the loopback upstream)."""
import json
import subprocess

import pytest

REFERENCE_BASE = "http://localhost:8765"

WORKFLOW_1 = r"""
# 1. Create config
CONFIG_ID=$(curl -s -X POST http://localhost:8765/configs \
  -H "Content-Type: application/json" \
  -d '{
    "name": "my-config",
    "yaml_content": "bundle:\n  name: my-bundle\n\nincludes:\n  - bundle: foundation\n\nproviders:\n  - module: provider-anthropic\n    config:\n      api_key: ${ANTHROPIC_API_KEY}\n      model: claude-sonnet-4-5\n"
  }' | jq -r '.config_id')

# 2. Create session
SESSION_ID=$(curl -s -X POST http://localhost:8765/sessions \
  -H "Content-Type: application/json" \
  -d "{\"config_id\": \"$CONFIG_ID\"}" | jq -r '.session_id')

# 3. Send message
curl -X POST "http://localhost:8765/sessions/$SESSION_ID/messages" \
  -H "Content-Type: application/json" \
  -d '{"message": "Hello!"}'
"""

WORKFLOW_2_STEP_3 = r"""
# 3. Create config using registered components
curl -X POST http://localhost:8765/configs \
  -H "Content-Type: application/json" \
  -d '{
    "name": "registry-config",
    "yaml_content": "bundle:\n  name: my-bundle\n\nincludes:\n  - bundle: foundation\n\nproviders:\n  - module: provider-anthropic\n\ntools:\n  - module: tool-web\n"
  }'
"""

WORKFLOW_2_REMOVED_STEPS = r"""
# 1. Register provider
curl -X POST 'http://localhost:8765/providers?name=anthropic&module=provider-anthropic'

# 2. Register tools
curl -X POST 'http://localhost:8765/tools?name=tool-web&source=builtin&module=tool-web'
"""

WORKFLOW_3 = r"""
# 1. Get current config
CURRENT=$(curl -s http://localhost:8765/configs/$CONFIG_ID)

# 2. Update with new YAML
curl -X PUT "http://localhost:8765/configs/$CONFIG_ID" \
  -H "Content-Type: application/json" \
  -d '{
    "yaml_content": "bundle:\n  name: my-bundle\n  version: 2.0.0\n\n[... updated YAML ...]"
  }'
"""

TRAILER = '\nprintf "\\n===\\nCONFIG_ID=%s\\nSESSION_ID=%s\\n" "$CONFIG_ID" "$SESSION_ID"\n'


def run(script: str, base_url: str) -> tuple[list, dict]:
    """Run a workflow with bash; returns the JSON documents curl printed, and the variables the
    trailer echoes."""
    script = "set -e\n" + script.replace(REFERENCE_BASE, f"{base_url}/amplifier")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text, _, trailer = done.stdout.partition("\n===\n")
    return documents(text), dict(line.split("=", 1) for line in trailer.splitlines() if "=" in line)


def documents(text: str) -> list:
    """The JSON documents printed one after another (curl adds no newline between them)."""
    decoder, found, index = json.JSONDecoder(), [], 0
    while index < len(text.rstrip()):
        if text[index].isspace():
            index += 1
            continue
        value, index = decoder.raw_decode(text, index)
        found.append(value)
    return found


def test_workflow_1_through_echo(live_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "unused-by-echo")
    script = WORKFLOW_1.replace("provider-anthropic", "provider-echo").replace("claude-sonnet-4-5", "echo-1")
    answers, names = run(script + TRAILER, live_server)
    assert answers == [{"session_id": names["SESSION_ID"], "response": "Echo: Hello!",
                        "metadata": answers[0]["metadata"]}]
    assert answers[0]["metadata"]["config_id"] == names["CONFIG_ID"]


def test_workflow_1_through_an_openai_compatible_upstream(live_server, fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-workflow")
    fake_openai.api_key = "sk-workflow"
    fake_openai.reply("Hi! How can I help?")
    script = (WORKFLOW_1.replace("provider-anthropic", "provider-openai")
              .replace("${ANTHROPIC_API_KEY}", "${OPENAI_API_KEY}\\n      base_url: " + fake_openai.base_url)
              .replace("claude-sonnet-4-5", "gpt-fake"))
    answers, _ = run(script, live_server)
    assert answers[0]["response"] == "Hi! How can I help?"
    assert fake_openai.requests[-1].json["messages"] == [{"role": "user", "content": "Hello!"}]
    assert fake_openai.requests[-1].headers["authorization"] == "Bearer sk-workflow"


def test_workflow_1_then_3_as_written(live_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "unused-by-echo")
    first = WORKFLOW_1.replace("provider-anthropic", "provider-echo").replace("claude-sonnet-4-5", "echo-1")
    answers, names = run(first + WORKFLOW_3 + TRAILER, live_server)
    assert answers[0]["response"] == "Echo: Hello!"
    # The reference's placeholder "[... updated YAML ...]" is not YAML: refused, config unchanged.
    assert answers[1]["detail"].startswith("Invalid YAML syntax")
    filled = WORKFLOW_3.replace("[... updated YAML ...]", "providers:\\n  - module: provider-echo\\n")
    updated = run(f"CONFIG_ID={names['CONFIG_ID']}\n" + filled, live_server)[0][0]
    assert updated["message"] == "Config updated successfully"
    assert updated["yaml_content"] == "bundle:\n  name: my-bundle\n  version: 2.0.0\n\nproviders:\n  - module: provider-echo\n"


def test_workflow_2_config_step_and_its_removed_registry_steps(live_server):
    created = run(WORKFLOW_2_STEP_3, live_server)[0][0]
    assert created["message"] == "Config created successfully" and "tool-web" in created["yaml_content"]
    removed, _ = run(WORKFLOW_2_REMOVED_STEPS, live_server)
    assert removed == [{"detail": "Not Found"}] * 2  # removed in 0.3.0, not served


@pytest.fixture(autouse=True)
def _curl_available():
    import shutil

    if not (shutil.which("curl") and shutil.which("jq")):
        pytest.skip("curl and jq are needed to run the reference's workflows")
