import type { Logger } from "../../lib/log.js";

export interface AdminService {
  isAdmin(userId: string): Promise<boolean>;
}

type UsersInfo = (args: {
  user: string;
}) => Promise<{ user?: { is_admin?: boolean; is_owner?: boolean; is_primary_owner?: boolean } }>;

/**
 * Admins are the users in ADMIN_SLACK_USER_IDS when set; otherwise the workspace's admins and
 * owners as Slack reports them (users.info), asked each time so a demotion takes effect at once.
 */
export function createAdminService({
  adminIds,
  usersInfo,
  log,
}: {
  adminIds?: readonly string[];
  usersInfo: UsersInfo;
  log: Logger;
}): AdminService {
  return {
    async isAdmin(userId) {
      if (adminIds && adminIds.length > 0) return adminIds.includes(userId);
      try {
        const { user } = await usersInfo({ user: userId });
        return Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
      } catch (error) {
        log.warn({ err: error, userId }, "users.info failed; treating the user as not an admin");
        return false;
      }
    },
  };
}
