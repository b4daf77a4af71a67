// npm run workspace:remove -- <Slack team id> --yes — deletes a workspace and everything Leadline keeps
// for it (leads, notes, calls, settings, agent settings, audit rows). Uninstalling keeps the data;
// this removes it for good.
import "dotenv/config";
import { pickWorkspace, scriptContext } from "./script-context.js";

const team = process.argv[2];
if (!team || !process.argv.includes("--yes")) {
  console.error("Usage: npm run workspace:remove -- <Slack team id> --yes   (deletes all of that workspace's data)");
  process.exit(2);
}
try {
  const { database, workspaces } = await scriptContext();
  const workspace = await pickWorkspace(workspaces, ["--workspace", team]);
  const counts = await workspaces.contents(workspace.id);
  await workspaces.remove(workspace.id);
  await database.close();
  console.log(
    `Removed workspace ${team}: ${counts.leads} leads and ${counts.calls} calls with their notes, settings and audit rows.`,
  );
} catch (error) {
  console.error(`Removal failed: ${(error as Error).message}`);
  process.exit(1);
}
