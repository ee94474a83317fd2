/**
 * `npm run settings:write`: rewrites local.settings.sample.json and the README's settings table from the settings'
 * description (src/settings.ts). The unit tests fail when either file drifts from it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { localSettingsSample, settingsTable } from "../src/settings";

const TABLE_START = "<!-- settings table: from src/settings.ts by npm run settings:write -->";
const TABLE_END = "<!-- end of settings table -->";

/** local.settings.sample.json's text. */
export function sampleSettingsJson(): string {
  return `${JSON.stringify(localSettingsSample(), null, 2)}\n`;
}

/** The README with its settings table (between the two markers) as the description gives it, formatted. */
export async function readmeWithSettingsTable(readme: string, readmePath: string): Promise<string> {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README has no "${TABLE_START}" ... "${TABLE_END}" markers.`);
  const replaced = `${readme.slice(0, start + TABLE_START.length)}\n\n${settingsTable()}\n\n${readme.slice(end)}`;
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(replaced, { ...options, filepath: readmePath });
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  writeFileSync(path.join(root, "local.settings.sample.json"), sampleSettingsJson());
  const readmePath = path.join(root, "README.md");
  writeFileSync(readmePath, await readmeWithSettingsTable(readFileSync(readmePath, "utf8"), readmePath));
  console.log("settings: wrote local.settings.sample.json and the README's settings table from src/settings.ts");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`settings: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
