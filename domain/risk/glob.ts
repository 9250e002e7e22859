/**
 * Minimal glob matching for per-repository tier overrides, gitignore-flavoured:
 * `**` spans directories, `*` and `?` stay within one segment, `{a,b}` picks one alternative;
 * a pattern without "/" matches the file or directory name at any depth; a trailing "/" means "everything under".
 */

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

function translate(pattern: string): string {
  let out = "";
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? "";
    if (char === "*") {
      if (pattern[index + 1] === "*") {
        const slashAfter = pattern[index + 2] === "/";
        out += slashAfter ? "(?:.*/)?" : ".*";
        index += slashAfter ? 2 : 1;
      } else {
        out += "[^/]*";
      }
    } else if (char === "?") {
      out += "[^/]";
    } else if (char === "{") {
      const close = pattern.indexOf("}", index);
      if (close === -1) {
        out += "\\{";
        continue;
      }
      const options = pattern.slice(index + 1, close).split(",").map(translate);
      out += `(?:${options.join("|")})`;
      index = close;
    } else {
      out += escapeRegex(char);
    }
  }
  return out;
}

export function compileGlob(pattern: string): RegExp {
  let body = pattern.trim().replace(/^\.\//, "");
  const directory = body.endsWith("/");
  if (directory) body = `${body}**`;
  const anchored = body.startsWith("/");
  if (anchored) body = body.slice(1);
  const anyDepth = !anchored && !body.replace(/\/\*\*$/, "").includes("/");
  const source = translate(body);
  return new RegExp(`^${anyDepth ? "(?:.*/)?" : ""}${source}(?:/.*)?$`, "i");
}

export function matchesGlob(path: string, pattern: string): boolean {
  return compileGlob(pattern).test(path.replace(/^\.\//, ""));
}
