import type { App } from "@slack/bolt";
import type { Deps } from "../deps.js";
import { workspaceOf } from "../interactions/scope.js";
import { parseStatsRange } from "../services/stats/stats-service.js";
import { statsMessage } from "../views/stats.js";
import { answerCommand } from "./answer.js";

/** "week <@U123|maria> export" → { range: "week", agentId: "U123", export: true }. */
export function parseStatsText(text: string): {
  range: string;
  agentId?: string;
  export: boolean;
  unknownMention?: string;
} {
  let rest = ` ${text.trim()} `;
  const mention = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(rest);
  const agentId = mention?.[1];
  if (mention) rest = rest.replace(mention[0], " ");
  const raw = /(^|\s)@(\S+)/.exec(rest)?.[2];
  if (raw) rest = rest.replace(`@${raw}`, " ");
  const exporting = /\sexport\s/i.test(rest);
  rest = rest.replace(/\sexport\s/i, " ");
  return { range: rest.trim(), agentId, export: exporting, ...(raw && !agentId ? { unknownMention: raw } : {}) };
}

export function registerCallStatsCommand(app: App, deps: Deps): void {
  app.command("/call-stats", async ({ command, ack, respond, context }) => {
    const ws = workspaceOf(context);
    let after: (() => Promise<void>) | undefined;
    await answerCommand(deps, { ack, respond, command }, async () => {
      const parsed = parseStatsText(command.text ?? "");
      if (parsed.unknownMention)
        return {
          text: `Mention the agent so Slack fills in who they are: type @ and pick them (Leadline read "@${parsed.unknownMention}").`,
        };
      const zone = await deps.agentZone(ws, command.user_id);
      const range = parseStatsRange(parsed.range, deps.clock.now(), zone);
      // Agents see their own numbers; the team's, and other agents', are for admins.
      const admin = await deps.admins.isAdmin(ws, command.user_id);
      const agentId = admin ? parsed.agentId : command.user_id;
      const scopeNote =
        !admin && parsed.agentId !== command.user_id
          ? "Your own calls: the team's numbers are for Leadline admins."
          : undefined;
      const stats = await deps.stats.stats(ws, range, agentId);
      after = async () => {
        const slack = await deps.slackFor(ws);
        const names = new Map<string, string>();
        for (const row of stats.perAgent.slice(0, 15))
          names.set(row.agentId, (await slack.user(row.agentId))?.name ?? row.agentId);
        const chart = await deps.stats.chart(stats, (id) => names.get(id) ?? id);
        await slack.upload({
          channel: command.channel_id,
          bytes: chart.png,
          filename: `call-stats-${range.days[0]}-${range.days.at(-1)}.png`,
          title: `Call stats, ${range.label}`,
        });
        if (parsed.export) {
          const { csv } = await deps.stats.exportCsv(ws, range, agentId);
          await slack.upload({
            channel: command.channel_id,
            bytes: Buffer.from(csv, "utf8"),
            filename: `calls-${range.days[0]}-${range.days.at(-1)}.csv`,
            title: `Calls, ${range.label}`,
          });
        }
      };
      return statsMessage(stats, { scopeNote, chartComing: true, exportComing: parsed.export });
    });
    if (after) {
      const work = after;
      deps.tasks.run(async () => {
        try {
          await work();
        } catch (error) {
          deps.log.warn({ err: error }, "could not post the stats chart");
          await respond({
            response_type: "ephemeral",
            replace_original: false,
            text: "The chart could not be posted here (is Leadline in this channel? `/invite @Leadline`).",
          });
        }
      });
    }
  });
}
