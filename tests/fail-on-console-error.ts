import { afterEach, beforeEach, vi } from "vitest";

/**
 * A test that makes the code under test log `console.error` unexpectedly fails: errors that are swallowed
 * and logged are exactly the bugs tests should catch. Tests that expect an error log spy on it themselves.
 */
let errorSpy: ReturnType<typeof vi.spyOn> | undefined;

beforeEach(() => {
  errorSpy = vi.spyOn(console, "error");
});

afterEach(() => {
  const calls = errorSpy?.mock.calls ?? [];
  const wasMockedByTest = errorSpy?.getMockImplementation() !== undefined;
  errorSpy?.mockRestore();
  if (calls.length > 0 && !wasMockedByTest) {
    throw new Error(`console.error was called unexpectedly:\n${calls.map((args: unknown[]) => args.map(String).join(" ")).join("\n")}`);
  }
});
