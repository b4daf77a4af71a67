/**
 * How the calls domain tells people about a call without knowing Slack: the Slack adapter
 * implements it (src/presenters/call-posts.ts) by rendering the call's post and sending it.
 */
export interface CallNotifier {
  /**
   * Sends the call's post (its Slack message) for the first time. Only the path that placed the call does this: it may
   * hold the command's response_url, the way to answer in a channel the bot is not in.
   * Resolves false when the post could not be sent anywhere. `maskNumbers`: the workspace's masking as the caller
   * just read it with the call's settings (CallContext), so the post needs no read of its own.
   */
  firstPost(callId: number, via?: { responseUrl?: string; maskNumbers?: boolean }): Promise<boolean>;
  /** Something the post shows has changed: bring it up to date (coalesced; one editor across instances). */
  changed(callId: number): Promise<void>;
  /** Puts a call's recording in the post's thread: the audio as a file, else the link. Returns which, or "none". */
  recording(
    callId: number,
    recording: { sid: string; audio?: Buffer; link?: string },
  ): Promise<"uploaded" | "linked" | "none">;
}
