import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CSV_LISTS, csvColumns, csvResponse, guardFormula, nextPageLink, toCsv } from "./csv.server.ts";

const item = z.strictObject({
  id: z.number().int(),
  title: z.string(),
  done: z.boolean(),
  reasons: z.array(z.string()),
  tiers: z.strictObject({ t1: z.number(), t2: z.number() }).nullable(),
  details: z.record(z.string(), z.unknown()),
  note: z.string().nullable(),
});

describe("csvColumns", () => {
  it("names the JSON fields, a nested object's as parent.child, and keeps the schema's order", () => {
    expect(csvColumns(item).map((column) => column.header)).toEqual(["id", "title", "done", "reasons", "tiers.t1", "tiers.t2", "details", "note"]);
  });

  it("gives every list endpoint a column per field of its item schema", () => {
    expect(csvColumns(CSV_LISTS.metrics).map((column) => column.header)).toEqual(
      expect.arrayContaining(["date", "aiPercentage", "linesByTier.t1", "linesByTier.t4", "aiLinesByTier.t4", "aiTax"]),
    );
    expect(csvColumns(CSV_LISTS["high-risk-files"]).map((column) => column.header)).toContain("riskReasons");
  });
});

describe("guardFormula (CSV injection)", () => {
  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])("prefixes %j with an apostrophe", (text) => {
    expect(guardFormula(text)).toBe(`'${text}`);
  });

  it("leaves other text alone", () => {
    expect(guardFormula("a=b")).toBe("a=b");
    expect(guardFormula("")).toBe("");
  });
});

describe("toCsv", () => {
  it("writes a header and one row per item: lists joined with ;, objects as JSON, null empty, CRLF between records", () => {
    const csv = toCsv(item, [
      { id: 1, title: "plain", done: true, reasons: ["a", "b"], tiers: { t1: 3, t2: -2 }, details: { threshold: 50 }, note: null },
      { id: 2, title: "second", done: false, reasons: [], tiers: null, details: {}, note: "n" },
    ]);
    expect(csv).toBe(
      'id,title,done,reasons,tiers.t1,tiers.t2,details,note\r\n1,plain,true,a;b,3,-2,"{""threshold"":50}",\r\n2,second,false,,,,{},n\r\n',
    );
  });

  it("quotes a comma, a quote and a line break, and guards formulas in text, lists and JSON cells but not numbers", () => {
    const csv = toCsv(item, [
      { id: -1, title: '=HYPERLINK("http://x"), then\nmore', done: false, reasons: ["-rm", "b"], tiers: null, details: {}, note: "@me" },
    ]);
    expect(csv.split("\r\n")[1]).toBe(`-1,"'=HYPERLINK(""http://x""), then\nmore",false,'-rm;b,,,{},'@me`);
  });

  it("writes the header alone for an empty list", () => {
    expect(toCsv(item, [])).toBe("id,title,done,reasons,tiers.t1,tiers.t2,details,note\r\n");
  });
});

describe("csvResponse", () => {
  it("answers text/csv as an attachment named after the list and the clock's UTC date", async () => {
    const response = csvResponse("incidents", [], new Date("2026-11-01T23:30:00Z"), { Link: "<x>" });
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="sentinel-incidents-2026-11-01.csv"');
    expect(response.headers.get("Link")).toBe("<x>");
    expect((await response.text()).startsWith("id,repoId,repoFullName,title,")).toBe(true);
  });
});

describe("nextPageLink", () => {
  it("points at the same request with the cursor moved on, and is absent on the last page", () => {
    const request = new Request("http://sentinel.test/api/v1/events?format=csv&cursor=90&limit=5");
    expect(nextPageLink(request, "42")).toEqual({ Link: '</api/v1/events?format=csv&cursor=42&limit=5>; rel="next"' });
    expect(nextPageLink(request, null)).toEqual({});
  });
});
