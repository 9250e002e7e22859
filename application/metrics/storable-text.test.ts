import { describe, expect, it } from "vitest";
import { storableText } from "./provenance-store.ts";

describe("storableText (patches stored for line provenance)", () => {
  it("replaces NUL and lone surrogates, which PostgreSQL text cannot hold, and keeps everything else", () => {
    expect(storableText("+int a;\u0000\n")).toBe("+int a;\ufffd\n");
    expect(storableText("+s = '\ud800' + '\udc00x'")).toBe("+s = '\ufffd' + '\ufffdx'");
    expect(storableText("+// ship it \ud83d\ude80 — done")).toBe("+// ship it \ud83d\ude80 — done");
    expect(storableText("+ends with a high half \ud83d")).toBe("+ends with a high half \ufffd");
  });
});
