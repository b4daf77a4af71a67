export interface AdminService {
  isAdmin(ws: number, userId: string): Promise<boolean>;
}

/**
 * Admins are the users in ADMIN_SLACK_USER_IDS when set; otherwise the workspace's admins and
 * owners as Slack reports them, asked each time so a demotion takes effect at once. A user Slack
 * cannot tell us about is not an admin.
 */
export function createAdminService({
  adminIds,
  slackUser,
}: {
  /** ADMIN_SLACK_USER_IDS: in single-workspace mode, the admins of that workspace. */
  adminIds?: readonly string[];
  slackUser: (ws: number, userId: string) => Promise<{ isAdmin: boolean } | undefined>;
}): AdminService {
  return {
    async isAdmin(ws, userId) {
      if (adminIds && adminIds.length > 0) return adminIds.includes(userId);
      return Boolean((await slackUser(ws, userId))?.isAdmin);
    },
  };
}
