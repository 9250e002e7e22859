import { describe, expect, it } from "vitest";
import { makeCommit, makeFile } from "../../tests/support/commits.ts";
import { regeneratedCommitReason, translationCommitReason, writtenAddedLines, writtenLinesOf, type WrittenLinesContext } from "./written-lines.ts";

const patch = (...lines: string[]) => lines.join("\n");

describe("writtenAddedLines", () => {
  it("counts every added line of new code", () => {
    expect(writtenAddedLines(patch("@@ -0,0 +1,2 @@", "+const a = 1;", "+const b = 2;"))).toEqual({ written: ["const a = 1;", "const b = 2;"], seen: 2 });
  });

  it("leaves out a hunk that only changes white space: re-indentation, trailing spaces, a re-wrapped call", () => {
    const reindented = patch("@@ -1,3 +1,3 @@", "-if (a) {", "-  run();", "-}", "+if (a) {", "+\trun();", "+}");
    expect(writtenAddedLines(reindented)).toEqual({ written: [], seen: 3 });
    const rewrapped = patch("@@ -1,1 +1,3 @@", "-call(first, second, third);", "+call(", "+  first, second, third", "+);");
    expect(writtenAddedLines(rewrapped)).toEqual({ written: [], seen: 3 });
    const trailing = patch("@@ -4,1 +4,1 @@", "-return x;   ", "+return x;");
    expect(writtenAddedLines(trailing).written).toEqual([]);
  });

  it("counts a hunk whose text changed, even by one character", () => {
    expect(writtenAddedLines(patch("@@ -1,1 +1,1 @@", "-return x;", "+return y;")).written).toEqual(["return y;"]);
  });

  it("leaves out a line moved to another hunk of the file, and keeps the new lines around it", () => {
    const moved = patch("@@ -1,2 +1,1 @@", " import a;", "-const limit = 10;", "@@ -20,1 +19,3 @@", " function f() {", "+  const limit = 10;", "+  return limit * 2;");
    expect(writtenAddedLines(moved)).toEqual({ written: ["  return limit * 2;"], seen: 2 });
  });

  it("matches a moved line once: a second copy is written", () => {
    const copied = patch("@@ -1,1 +1,0 @@", "-log(event);", "@@ -9,0 +9,2 @@", "+log(event);", "+log(event);");
    expect(writtenAddedLines(copied).written).toEqual(["log(event);"]);
  });

  it("ignores what is not a hunk line: headers before the first @@, context, and the no-newline note", () => {
    const text = patch("+++ b/a.ts", "@@ -1,1 +1,1 @@", " context", "-old", "+new", "\\ No newline at end of file");
    expect(writtenAddedLines(text)).toEqual({ written: ["new"], seen: 1 });
  });
});

const CODE: WrittenLinesContext = { kind: "code", moved: false, data: false, commitReason: null, regeneratedReason: null };

describe("writtenLinesOf", () => {
  it("counts every added line and says nothing when all were written", () => {
    const file = makeFile({ additions: 2, deletions: 0, patch: patch("@@ -0,0 +1,2 @@", "+a();", "+b();") });
    expect(writtenLinesOf(file, CODE)).toEqual({ count: 2, lines: ["a();", "b();"], exclusion: null });
  });

  it("counts the lines past a truncated patch as written: unseen is not the same as unwritten", () => {
    const file = makeFile({ additions: 500, deletions: 0, patch: patch("@@ -0,0 +1,500 @@", "+a();", "+b();"), patchTruncated: true });
    expect(writtenLinesOf(file, CODE)).toMatchObject({ count: 500, exclusion: null });
    const reformattedThenCut = makeFile({ additions: 50, deletions: 1, patch: patch("@@ -1,1 +1,1 @@", "-  a();", "+\ta();"), patchTruncated: true });
    expect(writtenLinesOf(reformattedThenCut, CODE)).toMatchObject({ count: 49, exclusion: "1 re-indented, re-wrapped or moved line: not counted" });
  });

  it("never counts more written lines than the file added, even when its patch shows more", () => {
    const mismatched = makeFile({ additions: 1, deletions: 0, patch: patch("@@ -0,0 +1,3 @@", "+a();", "+b();", "+c();") });
    expect(writtenLinesOf(mismatched, CODE)).toMatchObject({ count: 1, exclusion: null });
  });

  it("counts a file without a patch by its additions", () => {
    expect(writtenLinesOf(makeFile({ additions: 30, patch: null }), CODE)).toEqual({ count: 30, lines: [], exclusion: null });
  });

  it("says why nothing of a formatting-only file was counted", () => {
    const file = makeFile({ additions: 2, deletions: 2, patch: patch("@@ -1,2 +1,2 @@", "-  a();", "-  b();", "+    a();", "+    b();") });
    expect(writtenLinesOf(file, CODE)).toEqual({ count: 0, lines: [], exclusion: "whitespace-only or formatting change: not counted" });
  });

  it("counts nothing of a lockfile, translation catalogue, moved file or tabular data, and says why", () => {
    const file = makeFile({ additions: 100, patch: null });
    expect(writtenLinesOf(file, { ...CODE, kind: "lockfile" }).exclusion).toBe("lockfile: not counted");
    expect(writtenLinesOf(file, { ...CODE, kind: "translation" }).exclusion).toBe("translation catalogue: not counted");
    expect(writtenLinesOf(file, { ...CODE, moved: true }).exclusion).toBe("moved with barely a change: not counted");
    expect(writtenLinesOf(file, { ...CODE, data: true }).exclusion).toBe("tabular data: not counted");
    for (const context of [{ ...CODE, kind: "lockfile" as const }, { ...CODE, moved: true }, { ...CODE, data: true }]) expect(writtenLinesOf(file, context).count).toBe(0);
  });

  it("applies a regeneration reason to everything but code and tests; a translation commit's reason to everything", () => {
    const file = makeFile({ additions: 100, patch: null });
    const regenerated = "regenerated by the commit's own account (\"Regenerate docs\"): not counted";
    expect(writtenLinesOf(file, { ...CODE, kind: "docs", regeneratedReason: regenerated })).toMatchObject({ count: 0, exclusion: regenerated });
    expect(writtenLinesOf(file, { ...CODE, regeneratedReason: regenerated })).toMatchObject({ count: 100, exclusion: null });
    expect(writtenLinesOf(file, { ...CODE, kind: "test", regeneratedReason: regenerated })).toMatchObject({ count: 100, exclusion: null });
    expect(writtenLinesOf(file, { ...CODE, commitReason: "translation commit (Weblate): not counted" })).toMatchObject({ count: 0, exclusion: "translation commit (Weblate): not counted" });
  });
});

describe("translationCommitReason", () => {
  const person = { name: "Dana Smith", email: "dana@example.org", date: "2025-03-04T14:05:00Z" };

  it.each([
    ["Weblate as author", { name: "Weblate", email: "noreply@weblate.org" }],
    ["Hosted Weblate's address", { name: "Anonymous", email: "noreply-mt-weblate@weblate.org" }],
    ["Crowdin's bot", { name: "Crowdin Bot", email: "support+bot@crowdin.com" }],
    ["a translation bot", { name: "l10n translation-bot", email: "bot@example.org" }],
  ])("names %s", (_name, identity) => {
    expect(translationCommitReason(makeCommit({ author: { ...identity, date: person.date }, message: "Update German" }))).toMatch(/^translation commit \(.+\): not counted$/);
  });

  it("reads the committer too: a person's translation merged by Weblate", () => {
    const committer = { name: "Weblate", email: "noreply@weblate.org", date: person.date };
    expect(translationCommitReason(makeCommit({ author: person, committer, message: "Update German" }))).toBe("translation commit (Weblate): not counted");
  });

  it.each([
    "Translated using Weblate (German)\n\nCurrently translated at 98.2% (1102 of 1122 strings)",
    "Update translation files\n\nUpdated by \"Update PO files to match POT (msgmerge)\" add-on in Weblate.",
    "Update translations from Transifex",
    "i18n: Update translations",
  ])("names a translation platform's message: %j", (message) => {
    expect(translationCommitReason(makeCommit({ author: person, committer: person, message }))).toMatch(/^translation commit \(".+"\): not counted$/);
  });

  it.each(["Add a German translation of the README by hand", "Fix the translation of 'cancel' in the French UI", "Update translations test to use the new loader"])(
    "does not take a person's commit about translations for a translation commit: %j",
    (message) => {
      expect(translationCommitReason(makeCommit({ author: person, committer: person, message }))).toBeNull();
    },
  );
});

describe("regeneratedCommitReason", () => {
  it.each(["Regenerate protobufs", "re-generate API docs", "i18n: Update translation templates", "Update generated code", "make update-po", "go generate ./...", "Update metadata", "Bump generated clients"])(
    "reads %j as a regeneration",
    (subject) => {
      expect(regeneratedCommitReason(`${subject}\n\nSome body.`)).toBe(`regenerated by the commit's own account ("${subject}"): not counted`);
    },
  );

  it.each(["v12.1.2", "chore(release): 1.4.0", "Release v2.3.0", "Bump version to 2.3.1", "Version Packages"])("reads the release commit %j as tooling's changelog and version bump", (subject) => {
    expect(regeneratedCommitReason(`${subject}\n\n## Changes\n- a`)).toBe(`release commit ("${subject}"): changelog and version files not counted`);
  });

  it.each(["Bump lodash to 4.17.21", "Release notes for the v2 API", "Add a generator for invoice numbers", "Generate the invoice PDF on demand", "Fix the docs\n\nRegenerate them with make docs after pulling."])("does not read %j as one", (message) => {
    expect(regeneratedCommitReason(message)).toBeNull();
  });
});

describe("translation commits are judged by their subject", () => {
  it("knows Crowdin's subject and ignores the same words deeper in a person's message", () => {
    const person = { name: "Ada", email: "ada@example.com", date: "2026-01-05T10:00:00+01:00" };
    const crowdin = { author: person, committer: person, message: "New translations messages.json (French)" };
    expect(translationCommitReason(crowdin)).toMatch(/translation commit/);
    const human = { author: person, committer: person, message: "Fix the settings page\n\nUpdate translation files by hand afterwards." };
    expect(translationCommitReason(human)).toBeNull();
  });
});
