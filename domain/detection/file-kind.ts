import type { CommitFile, FileKind } from "./types.ts";

const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "deno.lock",
  "cargo.lock",
  "gemfile.lock",
  "poetry.lock",
  "pipfile.lock",
  "uv.lock",
  "pdm.lock",
  "composer.lock",
  "go.sum",
  "mix.lock",
  "pubspec.lock",
  "podfile.lock",
  "package.resolved",
  "flake.lock",
  "packages.lock.json",
  "gradle.lockfile",
  "paket.lock",
]);

const VENDORED = /(^|\/)(vendor|vendored|third_party|third-party|thirdparty|node_modules|bower_components|external|extern|deps)\//i;
const GENERATED_PATH =
  /(^|\/)(dist|build|out|target|generated|__generated__|gen|\.next|coverage)\/|\.min\.(js|css)$|\.(pb|pb\.gw|grpc\.pb)\.go$|_pb2(_grpc)?\.py$|\.g\.dart$|\.designer\.cs$|\.generated\.\w+$|_generated\.\w+$|\.snap$|\.map$/i;
/** Markers that code generators write into the first lines of their output. */
const GENERATED_HEADER = /(code generated .* do not edit|@generated|auto-?generated|this file (is|was) (automatically )?generated|do not edit (this file|manually))/i;
const BINARY_EXTENSIONS =
  /\.(png|jpe?g|gif|webp|bmp|ico|icns|tiff?|psd|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|war|class|so|dylib|dll|exe|bin|o|a|lib|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|webm|ogg|wav|flac|sqlite|db|pyc)$/i;
const DOCS = /\.(md|mdx|markdown|rst|adoc|txt|rdoc)$|(^|\/)(docs?|documentation)\/|(^|\/)(readme|changelog|changes|history|license|licence|contributing|authors|notice)(\.|$)/i;
const CONFIG =
  /\.(json|jsonc|ya?ml|toml|ini|cfg|conf|properties|env|editorconfig|xml|plist|csproj|sln|gradle|lock)$|(^|\/)(\.[^/]+rc(\.\w+)?|dockerfile|makefile|\.gitignore|\.gitattributes|\.npmignore|\.dockerignore|\.prettierrc|\.eslintrc|tsconfig[^/]*\.json|go\.mod|cargo\.toml|pyproject\.toml|setup\.cfg|requirements[^/]*\.txt|\.github\/.*)$/i;
const TEST = /(^|\/)(tests?|__tests__|spec|specs|testing|testdata|fixtures|e2e)\/|[._-](test|spec)\.[a-z]+$|(^|\/)test_[^/]+\.py$|_test\.(go|py|rs|exs?)$|Tests?\.(java|cs|kt|swift)$/i;

/**
 * Translation catalogues: gettext (.po/.pot/.mo), XLIFF, Qt Linguist, Apple .strings, Flutter .arb, Android
 * values-xx/strings.xml, and message files under a locale folder. Translators type them in a web editor and tools
 * regenerate them from the sources; neither is the project's code.
 */
const TRANSLATION_EXTENSION = /\.(?:po|pot|mo|xlf|xliff|strings|stringsdict|arb)$/i;
const LOCALE_FOLDER = /(^|\/)(?:locales?|i18n|l10n|translations?|lang|langs|languages)\/(?:[^/]+\/)*[^/]+\.(?:json|ya?ml|xml|properties|ini|toml)$/i;
/** Message modules named by their locale ("de.ts", "pt_BR.js"); not under lang/ or languages/, where highlighters keep grammars ("go.js"). */
const LOCALE_MODULE = /(^|\/)(?:locales?|i18n|l10n|translations?)\/(?:[^/]+\/)*[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?\.(?:ts|js)$/i;
const ANDROID_STRINGS = /(^|\/)values-[a-z]{2}(?:-r?[A-Za-z]{2})?\/strings\.xml$/;
const QT_LINGUIST_HEAD = /<!DOCTYPE TS>|<TS version=/;

function isTranslation(path: string, head: string): boolean {
  if (TRANSLATION_EXTENSION.test(path) || LOCALE_FOLDER.test(path) || LOCALE_MODULE.test(path) || ANDROID_STRINGS.test(path)) return true;
  return path.endsWith(".ts") && QT_LINGUIST_HEAD.test(head);
}

export function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? path : path.slice(slash + 1);
}

function patchHead(patch: string | null): string {
  return patch ? patch.slice(0, 600) : "";
}

/**
 * What kind of file this is. Lockfiles, generated, vendored and binary files are nobody's writing: they are
 * shown but never count toward AI or human line totals, velocity, or style.
 */
export function classifyFileKind(file: Pick<CommitFile, "path" | "patch" | "binary">): FileKind {
  const name = baseName(file.path).toLowerCase();
  if (file.binary || BINARY_EXTENSIONS.test(name)) return "binary";
  if (LOCKFILES.has(name)) return "lockfile";
  if (VENDORED.test(file.path)) return "vendored";
  if (isTranslation(file.path, patchHead(file.patch))) return "translation";
  if (GENERATED_PATH.test(file.path) || GENERATED_HEADER.test(patchHead(file.patch))) return "generated";
  if (TEST.test(file.path)) return "test";
  if (DOCS.test(file.path)) return "docs";
  if (CONFIG.test(file.path)) return "config";
  return "code";
}

export function countsTowardShare(kind: FileKind): boolean {
  return kind !== "lockfile" && kind !== "generated" && kind !== "vendored" && kind !== "binary" && kind !== "translation";
}

export type Language = "typescript" | "python" | "go" | "rust" | "java" | "csharp" | "ruby" | "php" | "swift" | "kotlin" | "c" | "shell" | "other";

const LANGUAGE_BY_EXTENSION: Record<string, Language> = {
  ts: "typescript", tsx: "typescript", js: "typescript", jsx: "typescript", mjs: "typescript", cjs: "typescript", mts: "typescript", cts: "typescript",
  py: "python", pyi: "python",
  go: "go",
  rs: "rust",
  java: "java", kt: "kotlin", kts: "kotlin", scala: "java",
  cs: "csharp",
  rb: "ruby",
  php: "php",
  swift: "swift",
  c: "c", h: "c", cc: "c", cpp: "c", hpp: "c", cxx: "c", m: "c", mm: "c",
  sh: "shell", bash: "shell", zsh: "shell",
};

export function languageOf(path: string): Language {
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  if (dot === -1) return "other";
  return LANGUAGE_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? "other";
}
