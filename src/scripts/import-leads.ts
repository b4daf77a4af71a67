// npm run leads:import -- leads.csv [--workspace T012345] — columns name, phone, email, source, state, zip (header required).
import "dotenv/config";
import { readFileSync } from "node:fs";
import { UserError } from "../lib/errors.js";
import { csvText, formatImportReport, importLeadsCsv } from "../services/leads/lead-import.js";
import { createLeadService } from "../services/leads/lead-service.js";
import { createLeadStore } from "../services/leads/lead-store.js";
import { userErrorWords } from "../views/error-words/index.js";
import { pickWorkspace, scriptContext } from "./script-context.js";

const file = process.argv[2];
if (!file || file.startsWith("--")) {
  console.error(
    "Usage: npm run leads:import -- <file.csv> [--workspace <Slack team id>]   (columns: name, phone, email, source, state, zip; header row required)",
  );
  process.exit(2);
}
try {
  const { config, database, workspaces } = await scriptContext();
  const workspace = await pickWorkspace(workspaces, process.argv.slice(3));
  const report = await importLeadsCsv(
    workspace.id,
    csvText(readFileSync(file), file),
    createLeadService({ store: createLeadStore(database), defaultCountry: config.DEFAULT_COUNTRY }),
    "csv import",
  );
  await database.close();
  console.log(formatImportReport(report));
  process.exit(report.rejected.length > 0 ? 1 : 0);
} catch (error) {
  console.error(`Import failed: ${error instanceof UserError ? userErrorWords(error) : (error as Error).message}`);
  process.exit(1);
}
