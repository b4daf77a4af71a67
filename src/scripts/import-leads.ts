// npm run leads:import -- leads.csv — columns name, phone, email, source (header required).
import "dotenv/config";
import { readFileSync } from "node:fs";
import { loadConfig } from "../config.js";
import { formatImportReport, importLeadsCsv } from "../services/leads/lead-import.js";
import { createLeadService } from "../services/leads/lead-service.js";
import { applyMigrations, createDb, sqlitePath } from "../services/store/db.js";

const file = process.argv[2];
if (!file) {
  console.error(
    "Usage: npm run leads:import -- <file.csv>   (columns: name, phone, email, source; header row required)",
  );
  process.exit(2);
}
try {
  // Only the database settings matter here; Slack tokens are not needed to import.
  const config = loadConfig({ SLACK_BOT_TOKEN: "xoxb-import", SLACK_SIGNING_SECRET: "import", ...process.env });
  applyMigrations(sqlitePath(config.DATABASE_URL));
  const db = await createDb(config.DATABASE_URL);
  const report = await importLeadsCsv(
    readFileSync(file, "utf8"),
    createLeadService({ db, defaultCountry: config.DEFAULT_COUNTRY }),
    "csv import",
  );
  await db.$disconnect();
  console.log(formatImportReport(report));
  process.exit(report.rejected.length > 0 ? 1 : 0);
} catch (error) {
  console.error(`Import failed: ${(error as Error).message}`);
  process.exit(1);
}
