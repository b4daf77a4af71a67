import type { Method } from "./method.js";

// Who and where: https://docs.slack.dev/reference/methods/auth.test, users.info, conversations.info,
// conversations.open (the app's DM with one user: https://docs.slack.dev/reference/methods/conversations.open).

const authTest: Method = (workspace, _args, team) => {
  if (team) {
    return {
      ok: true,
      url: `https://${team.domain}.slack.com/`,
      team: team.name,
      user: "leadline",
      team_id: team.id,
      user_id: team.botUserId,
      bot_id: team.botId,
      ...(team.enterpriseId ? { enterprise_id: team.enterpriseId } : {}),
      is_enterprise_install: false,
    };
  }
  const { identity } = workspace;
  return {
    ok: true,
    url: `https://${identity.team.domain}.slack.com/`,
    team: identity.team.name,
    user: "leadline",
    team_id: identity.team.id,
    user_id: identity.botUserId,
    bot_id: identity.botId,
  };
};

const usersInfo: Method = (workspace, args, team) => {
  const user = workspace.users.get(String(args.user));
  // A token of one team sees only that team's members.
  if (!user || (team && user.team && user.team !== team.id)) return { ok: false, error: "user_not_found" };
  const realName = user.real_name ?? user.name;
  return {
    ok: true,
    user: {
      id: user.id,
      team_id: user.team ?? team?.id ?? workspace.identity.team.id,
      name: user.name,
      real_name: realName,
      is_admin: user.is_admin ?? false,
      is_owner: user.is_owner ?? false,
      is_bot: false,
      tz: user.tz ?? "America/New_York",
      profile: { real_name: realName, display_name: user.name, ...(user.email ? { email: user.email } : {}) },
    },
  };
};

/** https://docs.slack.dev/reference/methods/users.lookupByEmail: `users_not_found` when nobody has it. */
const usersLookupByEmail: Method = (workspace, args, team) => {
  const email = String(args.email ?? "")
    .trim()
    .toLowerCase();
  if (!email) return { ok: false, error: "invalid_arguments" };
  const user = [...workspace.users.values()].find(
    (u) => u.email?.toLowerCase() === email && !(team && u.team && u.team !== team.id),
  );
  if (!user) return { ok: false, error: "users_not_found" };
  return usersInfo(workspace, { user: user.id }, team);
};

const conversationsInfo: Method = (workspace, args) => {
  const id = String(args.channel ?? "");
  if (!workspace.channelExists(id)) return { ok: false, error: "channel_not_found" };
  const channel = workspace.channels.get(id) ?? { id, name: id.toLowerCase() };
  return { ok: true, channel: { ...channel, is_channel: true, is_member: workspace.botChannels.has(id) } };
};

/** One user (the only form Leadline uses): the bot's DM channel with them, `D` + the user id's tail, as chat.postMessage to a user id uses. */
const conversationsOpen: Method = (workspace, args) => {
  const users = String(args.users ?? "")
    .split(",")
    .map((user) => user.trim())
    .filter(Boolean);
  if (users.length === 0 && !args.channel) return { ok: false, error: "users_list_not_supplied" };
  if (users.length > 1) return { ok: false, error: "not_implemented" };
  if (users.length === 1 && !workspace.isUser(users[0]!)) return { ok: false, error: "user_not_found" };
  const id = users.length === 1 ? `D${users[0]!.slice(1)}` : String(args.channel);
  return { ok: true, channel: { id } };
};

export const teamMethods: Record<string, Method> = {
  "auth.test": authTest,
  "users.info": usersInfo,
  "users.lookupByEmail": usersLookupByEmail,
  "conversations.info": conversationsInfo,
  "conversations.open": conversationsOpen,
};
