// A small app built with @mentra/sdk, as a developer would write it: it shows what it hears.
// Lines starting with "@@ " on stdout are JSON events for the test that runs it.
import { createRequire } from "module";
import path from "path";
import { pathToFileURL } from "url";

const { SDK_DIR, PORT, PACKAGE_NAME, API_KEY } = process.env;
const require = createRequire(path.join(SDK_DIR, "package.json"));
const { AppServer } = await import(pathToFileURL(require.resolve("@mentra/sdk")).href);

const report = (event) => process.stdout.write(`@@ ${JSON.stringify(event)}\n`);
const sessions = new Map();

class EchoApp extends AppServer {
  async onSession(session, sessionId, userId) {
    sessions.set(sessionId, session);
    report({ event: "session", sessionId, userId });
    session.events.onConnected(() => report({ event: "connected", sessionId }));
    session.events.onDisconnected((info) => report({ event: "disconnected", sessionId, code: info?.code ?? null }));
    session.onTranscription((data) => {
      report({ event: "transcription", sessionId, text: data.text, isFinal: data.isFinal });
      if (data.isFinal) {
        session.layouts.showTextWall(`heard: ${data.text}`, { durationMs: 3000 });
      }
    });
  }

  async onStop(sessionId, userId, reason) {
    report({ event: "stopped", sessionId, reason });
    sessions.delete(sessionId);
    await super.onStop(sessionId, userId, reason);
  }
}

const app = new EchoApp({ packageName: PACKAGE_NAME, apiKey: API_KEY, port: Number(PORT) });
// For the test: drop a session's socket the way a network failure would (no close frame).
app.getExpressApp().post("/test/drop/:sessionId", (req, res) => {
  const session = sessions.get(req.params.sessionId);
  if (!session || !session.ws) {
    return res.status(404).json({ dropped: false });
  }
  session.ws.terminate();
  return res.json({ dropped: true });
});
await app.start();
report({ event: "listening", port: Number(PORT) });
