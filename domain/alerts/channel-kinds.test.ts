import { describe, expect, it } from "vitest";
import { assertNever, CHANNEL_KIND_LABELS, CHANNEL_KINDS, type ChannelKind } from "./channel-kinds.ts";

/*
 * The `@ts-expect-error` lines are checked by `npm run typecheck` (tsc compiles test files): if a record missing a
 * kind or a switch missing a case ever compiled, tsc would fail with "Unused '@ts-expect-error' directive".
 */

// @ts-expect-error a record per kind must name every kind
const missingKind: Record<ChannelKind, string> = { slack: "Slack", email: "Email" };

function describeKind(kind: ChannelKind): string {
  switch (kind) {
    case "slack":
    case "email":
      return kind;
    default:
      // @ts-expect-error "pagerduty" has no case, so it reaches the never check
      return assertNever(kind, "channel kind");
  }
}

describe("channel kinds", () => {
  it("label every kind", () => {
    expect(Object.keys(CHANNEL_KIND_LABELS).sort()).toEqual([...CHANNEL_KINDS].sort());
  });

  it("fail loudly at run time on a kind a switch does not handle", () => {
    expect(Object.keys(missingKind)).toEqual(["slack", "email"]);
    expect(describeKind("slack")).toBe("slack");
    expect(() => describeKind("pagerduty")).toThrow(/unexpected channel kind: pagerduty/);
  });
});
