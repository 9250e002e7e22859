import { describe, expect, it } from "vitest";
import { MARKER_SIGNAL_IDS } from "./types.ts";
import { signalLabel } from "./signal-labels.ts";

describe("signalLabel", () => {
  it("names every marker, a tell by its words, and ids earlier detector versions stored", () => {
    for (const id of MARKER_SIGNAL_IDS) expect(signalLabel(id)).not.toBe(id.replace(/-/g, " "));
    expect(signalLabel("agent-identity")).toBe("Agent identity");
    expect(signalLabel("message-long-subject")).toBe("message long subject");
    expect(signalLabel("code-style")).toBe("Code style");
    expect(signalLabel("time-of-day")).toBe("Time of day");
  });
});
