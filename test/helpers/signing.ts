// The simulators' signers (one implementation each): Slack v0 request signing, as the sandbox console
// signs its requests, and Twilio's webhook signature, as the simulated Twilio signs its webhooks.
export { slackSignature } from "../../sandbox/slack/signing.js";
export { twilioSignature } from "../../sandbox/twilio/signing.js";
