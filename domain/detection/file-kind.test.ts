import { describe, expect, it } from "vitest";
import { classifyFileKind, countsTowardShare } from "./file-kind.ts";

const kindOf = (path: string, patch: string | null = null) => classifyFileKind({ path, patch, binary: false });

describe("translation catalogues", () => {
  it.each([
    "po/incus.pot",
    "po/de.po",
    "locale/fr/LC_MESSAGES/django.mo",
    "src/locale/messages.de.xlf",
    "App/Resources/de.lproj/Localizable.strings",
    "lib/l10n/app_de.arb",
    "public/locales/de.json",
    "src/locales/pt-BR/common.json",
    "config/locales/de.yml",
    "src/i18n/de.ts",
    "app/src/main/res/values-de/strings.xml",
    "app/src/main/res/values-pt-rBR/strings.xml",
  ])("%s is a translation catalogue", (path) => {
    expect(kindOf(path)).toBe("translation");
  });

  it("recognises a Qt Linguist .ts file by its head, wherever it lives", () => {
    const head = '@@ -0,0 +1,4 @@\n+<?xml version="1.0" encoding="utf-8"?>\n+<!DOCTYPE TS>\n+<TS version="2.1" language="de_DE">\n+<context>';
    expect(kindOf("src/app_de.ts", head)).toBe("translation");
    expect(kindOf("src/app_de.ts", "@@ -0,0 +1,1 @@\n+export const app = 1;")).toBe("code");
  });

  it.each([
    ["src/i18n/index.ts", "code"],
    ["src/i18n/format-date.ts", "code"],
    ["app/src/main/res/values/strings.xml", "config"],
    ["src/locale.ts", "code"],
    ["docs/translations.md", "docs"],
    // highlight.js keeps a grammar per language: code, not a catalogue.
    ["src/languages/go.js", "code"],
    ["lib/lang/ru.ts", "code"],
  ])("%s is not a catalogue but %s", (path, kind) => {
    expect(kindOf(path)).toBe(kind);
  });

  it("never counts toward anyone's share", () => {
    expect(countsTowardShare("translation")).toBe(false);
    expect(countsTowardShare("code")).toBe(true);
  });
});
