import { describe, expect, it } from "vitest";
import { validateChannelConfig } from "./channels.ts";
import { checkOutboundUrl, isPrivateAddress } from "./ssrf.ts";

describe("SSRF guard", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["::1", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["::ffff:127.0.0.1", true],
    ["8.8.8.8", false],
    ["2606:4700::1111", false],
  ])("%s private: %s", (address, expected) => expect(isPrivateAddress(address)).toBe(expected));

  const resolveTo = (addresses: string[]) => async () => addresses;

  it("refuses http, credentials, private resolutions and unresolvable hosts; allows public https", async () => {
    expect(await checkOutboundUrl("http://hooks.slack.com/x", { resolve: resolveTo(["1.2.3.4"]) })).toEqual({ ok: false, reason: "must use https" });
    expect((await checkOutboundUrl("https://u:p@hooks.slack.com/x", { resolve: resolveTo(["1.2.3.4"]) })).ok).toBe(false);
    expect(await checkOutboundUrl("https://rebind.example/x", { resolve: resolveTo(["1.2.3.4", "169.254.169.254"]) })).toEqual({
      ok: false,
      reason: "host rebind.example resolves to a private or reserved address (169.254.169.254)",
    });
    expect((await checkOutboundUrl("https://[::1]:8443/x")).ok).toBe(false);
    expect((await checkOutboundUrl("https://nowhere.invalid/x", { resolve: async () => { throw new Error("ENOTFOUND"); } })).ok).toBe(false);
    expect((await checkOutboundUrl("https://hooks.slack.com/services/T/B/X", { resolve: resolveTo(["3.5.7.9"]) })).ok).toBe(true);
  });

  it("lets the operator's allow-list through (a loopback gateway)", async () => {
    expect((await checkOutboundUrl("http://127.0.0.1:9999/hook", { allowedHosts: ["127.0.0.1"] })).ok).toBe(true);
  });

  it("checks a Slack webhook URL when the channel is saved", async () => {
    expect(await validateChannelConfig("slack", { webhookUrl: "https://10.0.0.5/hook" })).toEqual({
      ok: false,
      fieldErrors: { webhookUrl: "webhook URL host 10.0.0.5 resolves to a private or reserved address (10.0.0.5)" },
    });
    expect(await validateChannelConfig("slack", { channelId: "C0123456789" })).toMatchObject({ ok: true });
    expect(await validateChannelConfig("pagerduty", { routingKey: "short" })).toMatchObject({ ok: false, fieldErrors: { routingKey: expect.any(String) } });
    expect(await validateChannelConfig("email", { to: ["not-an-address"] })).toMatchObject({ ok: false, fieldErrors: { "to.0": "must be email addresses" } });
  });
});
