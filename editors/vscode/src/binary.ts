// Which `djust` binary the extension starts: the `djust.path` setting, else the
// project's virtualenv (where `pip install djust` puts the console script), else PATH.
// Kept free of the `vscode` module so that it can be tested with node alone.
import * as fs from "fs";
import * as path from "path";

/** Virtualenv directories looked for in each workspace folder, in order. */
export const VENV_DIRS = [".venv", "venv", "env"];

/**
 * The command to run: `configured` when set (a `~` at the start is the home
 * directory), else the first `djust` found in a virtualenv of one of `folders`,
 * else `djust` (resolved on PATH when spawned).
 */
export function resolveBinary(
  configured: string | undefined,
  folders: string[],
  platform: NodeJS.Platform = process.platform,
  exists: (p: string) => boolean = fs.existsSync,
  home: string = process.env.HOME ?? "",
): string {
  const set = (configured ?? "").trim();
  if (set) {
    return set.startsWith("~") ? path.join(home, set.slice(1)) : set;
  }
  const exe = platform === "win32" ? path.join("Scripts", "djust.exe") : path.join("bin", "djust");
  for (const folder of folders) {
    for (const venv of VENV_DIRS) {
      const candidate = path.join(folder, venv, exe);
      if (exists(candidate)) {
        return candidate;
      }
    }
  }
  return "djust";
}

/** Files whose text says which packages a Python project uses. */
export const MANIFEST_GLOB = "**/{pyproject.toml,requirements*.txt,setup.cfg,setup.py,Pipfile}";

/**
 * Whether a project uses djust: one of its manifests names the `djust` package (as a
 * whole word: `djust>=0.1`, `"djust"`), or a virtualenv of it has the `djust` binary.
 */
export function isDjustProject(manifests: string[], venvBinary: boolean): boolean {
  return venvBinary || manifests.some((text) => /(^|[^\w-])djust([^\w-]|$)/m.test(text));
}
