// npm run secrets:forget [-- --yes] — when the encryption key is truly lost: deletes the stored secrets
// that no key given (APP_ENCRYPTION_KEY, APP_ENCRYPTION_KEY_PREVIOUS) can decrypt, and only those, so
// Leadline starts again; admins then re-enter what was lost. Without --yes it lists them and deletes
// nothing.
import "dotenv/config";
import { ConfigError } from "../config.js";
import { createSecretStore, type UnreadableSecret } from "../services/store/secrets.js";
import { scriptContext } from "./script-context.js";

/** What an admin does to get each kind of secret back. */
function remedy(name: string): string {
  if (name.startsWith("twilio.")) return "an admin re-enters the Twilio settings in /twilio-setup";
  if (name.startsWith("slack.")) return "install Leadline in that workspace again (/slack/install)";
  if (name.startsWith("leads.")) return "an admin makes a new lead API token with /twilio-setup api-token";
  if (name.startsWith("reveal:")) return "nothing: a one-time link that is no longer needed";
  return "an admin sets it again";
}

const describe = (row: UnreadableSecret, teams: Map<number, string>) =>
  `  ${row.name} (workspace ${teams.get(row.workspaceId) ?? row.workspaceId}; ${
    row.reason === "missing-key" ? `encrypted with key id ${row.keyId}, which was not given` : "fails authentication"
  }): ${remedy(row.name)}`;

const confirmed = process.argv.slice(2).includes("--yes");
try {
  const { database, keyring, workspaces: directory } = await scriptContext();
  // Never a freshly generated key: every secret would look unreadable under it.
  const keys = keyring({ generate: false });
  const secrets = createSecretStore({ db: database.prisma, keyring: keys });
  const unreadable = await secrets.unreadableRows();
  const workspaces = await directory.all();
  const teams = new Map(
    workspaces.map((ws) => [ws.id, ws.teamId ? `${ws.teamId}${ws.name ? ` ${ws.name}` : ""}` : String(ws.id)]),
  );
  const keyIds = keys.all.map((key) => key.id).join(", ");
  if (unreadable.length === 0) {
    await database.close();
    console.log(`Every stored secret opens with key id ${keyIds}: nothing to forget.`);
    process.exit(0);
  }
  const list = unreadable.map((row) => describe(row, teams)).join("\n");
  if (!confirmed) {
    await database.close();
    console.log(
      `${unreadable.length} stored secrets cannot be decrypted with key id ${keyIds}:\n${list}\n` +
        "Nothing was deleted. If the key that encrypted them is lost, run again with --yes: npm run secrets:forget -- --yes",
    );
    process.exit(2);
  }
  const deleted = await secrets.forget(unreadable);
  await database.close();
  console.log(
    `Deleted ${deleted} stored secrets that key id ${keyIds} cannot decrypt:\n${list}\n` +
      "Leadline starts again; until they are re-entered, what they were for stays off.",
  );
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `secrets:forget failed: ${(error as Error).message}`);
  process.exit(1);
}
