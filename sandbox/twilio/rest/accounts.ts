import { rfc2822 } from "../rest-kit.js";
import type { RestRoute } from "./route.js";

/** The Account (fetch). https://www.twilio.com/docs/iam/api/account */

export const accountRoutes: RestRoute[] = [
  {
    operation: "account",
    method: "GET",
    path: /^$/,
    handle: ({ account }) => ({
      status: 200,
      body: {
        sid: account.sid,
        friendly_name: "Leadline simulated account",
        status: "active",
        type: "Full",
        date_created: rfc2822(new Date(0)),
      },
    }),
  },
];
