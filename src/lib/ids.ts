/** Action, callback and block ids shared by views (which emit them) and listeners (which match them). */
export const ids = {
  twilioSetup: {
    callbackId: "twilio_setup",
    checkingCallbackId: "twilio_setup_checking",
    doneCallbackId: "twilio_setup_done",
    clearAction: "twilio_setup_clear_confirm",
    /** The link button to the page that shows a new lead API token once. */
    apiTokenLinkAction: "twilio_setup_api_token_link",
  },
  lead: {
    addCallbackId: "lead_add",
    noteCallbackId: "lead_note",
    addAction: "lead_add_open",
    noteAction: "lead_note_open",
    phoneAction: "lead_phone_open",
    phoneCallbackId: "lead_phone",
    /** "Do not call" on a card: puts the lead's number on the do-not-call list. */
    dncAction: "lead_dnc",
    editAction: "lead_edit_open",
    editCallbackId: "lead_edit",
    historyAction: "lead_history_open",
    historyCallbackId: "lead_history",
    /** Newer / Older in the History modal; the value is the page to show. */
    historyNewerAction: "lead_history_newer",
    historyOlderAction: "lead_history_older",
    /** "Add ZIP or state" on a compliance card: the lead's address decides its time zone. */
    addressAction: "lead_address_open",
    addressCallbackId: "lead_address",
    savedCallbackId: "lead_saved",
    /** `/lead import`: the modal with the CSV file input. */
    importCallbackId: "lead_import",
  },
  call: {
    /** One action id per mode; the button value carries the lead id. */
    liveAction: "call_live",
    messageAction: "call_message",
    /** Cards posted before release 2 carry this id for what is now a message call. */
    legacySimpleAction: "call_simple",
    bridgeAction: "call_bridge",
    browserAction: "call_browser",
    settingsCallbackId: "call_settings",
    settingsSavedCallbackId: "call_settings_saved",
    /** The link button to the browser phone: Slack opens the URL and still reports the click. */
    browserLinkAction: "browser_phone_link",
  },
  summary: {
    /** A summary card's suggestions; each value is JSON naming the call (and the outcome or the time). */
    outcomeAction: "summary_outcome",
    callbackAction: "summary_callback",
    dncAction: "summary_dnc",
  },
  queue: {
    /** The queue card's buttons; each value is "<runId>:<claimId>" (claim 0 when there is none). */
    callAction: "queue_call",
    /** Skip and Snooze are menus: each option's value is "<runId>:<claimId>:<reason or until-choice>". */
    skipAction: "queue_skip",
    snoozeAction: "queue_snooze",
    stopAction: "queue_stop",
    nextAction: "queue_next",
    /** The outcome of the lead's call on the card: the kind is the action id's tail. */
    outcomePrefix: "queue_outcome_",
    /** Speed to lead's Claim on a new lead's message; the value is the lead id. */
    speedClaimAction: "queue_speed_claim",
    /** /call-queue status: a supervisor on a run's conference; the value is the run id. */
    listenAction: "queue_listen",
    whisperAction: "queue_whisper",
    joinAction: "queue_join",
    /** App Home's queues: Start calling (value: the queue id); admins' New queue, Edit, Delete. */
    homeStartAction: "queue_home_start",
    homeNewAction: "queue_home_new",
    homeEditAction: "queue_home_edit",
    homeDeleteAction: "queue_home_delete",
    /** The admin's queue modal (new or edit; private_metadata names the queue being edited). */
    modalCallbackId: "queue_modal",
    /** Snooze's "Pick a day and time…": a day and a time (scheduleFields' blocks), private_metadata the run and claim. */
    snoozeCallbackId: "queue_snooze_until",
  },
  outcome: {
    /** One tap on a finished call's line; the value is the call id. The kind is the action id's tail. */
    actionPrefix: "outcome_",
    /** The overflow menu that changes a recorded outcome; option values are "<callId>:<kind>". */
    changeAction: "outcome_change",
  },
  texts: {
    /** "Text" on a lead card or a finished call's line: the value is the lead id; opens the text modal. */
    openAction: "text_open",
    /** "Reply by text" on an inbound text: the value is the lead id. */
    replyAction: "text_reply",
    callbackId: "text_modal",
    bodyBlock: "text_body",
    templateBlock: "text_template",
    /** "Send at <next allowed time>" on a text the law refused; the value is {textId, at}. */
    sendAtAction: "text_send_at",
  },
  home: {
    /** Move / Cancel on a scheduled call in the Home tab; option values are "move:<id>" or "cancel:<id>". */
    scheduledMenuAction: "home_scheduled_menu",
  },
  schedule: {
    /** "Schedule for <next allowed time>" on a compliance card. */
    fromBlockAction: "schedule_from_block",
    /** "Schedule" on a lead card: the date and time modal. */
    openAction: "schedule_open",
    callbackId: "schedule_modal",
    doneCallbackId: "schedule_done",
    cancelAction: "schedule_cancel",
    moveAction: "schedule_move",
    /** "Move to <next allowed time>" on a booking outside calling hours. */
    moveToAction: "schedule_move_to",
    /** "Retry in 15 min" on the line of a live call the agent did not answer. */
    retryAction: "schedule_retry",
  },
  crm: {
    /** /crm-setup's API key modal, its "checking…" and "connected" views. */
    setupCallbackId: "crm_setup",
    checkingCallbackId: "crm_setup_checking",
    doneCallbackId: "crm_setup_done",
    /** "Retry" on /crm-setup status: failed outbox rows back to waiting. */
    retryAction: "crm_retry",
  },
} as const;

/** Input block ids of the /crm-setup modal. */
export const crmFields = { apiKey: "crm_api_key" } as const;

/** Input block ids of the /twilio-setup modal; also the keys of field errors. */
export const setupFields = {
  accountSid: "setup_account_sid",
  authToken: "setup_auth_token",
  phoneNumber: "setup_phone_number",
  agentPhone: "setup_agent_phone",
  apiKeySid: "setup_api_key_sid",
  apiKeySecret: "setup_api_key_secret",
  twimlAppSid: "setup_twiml_app_sid",
  callMessage: "setup_call_message",
  menuMessage: "setup_menu_message",
  voicemailMessage: "setup_voicemail_message",
  recording: "setup_recording",
  leadsChannel: "setup_leads_channel",
  callingWindow: "setup_calling_window",
  callingDays: "setup_calling_days",
  teamCountries: "setup_team_countries",
  messagingServiceSid: "setup_messaging_service_sid",
  textTeamName: "setup_text_team_name",
  textHelp: "setup_text_help",
  textStopConfirmation: "setup_text_stop_confirmation",
  textTemplates: "setup_text_templates",
  textBack: "setup_text_back",
} as const;

export const agentFields = { phone: "agent_phone" } as const;

export const scheduleFields = { date: "schedule_date", time: "schedule_time" } as const;

/** The admin's queue modal: one block per setting (a failed save names its block). */
export const queueFields = {
  name: "queue_name",
  source: "queue_source",
  state: "queue_state",
  owner: "queue_owner",
  lastOutcome: "queue_last_outcome",
  flags: "queue_flags",
  orderBy: "queue_order",
  recallGapMin: "queue_gap",
  maxAttempts: "queue_max",
  removeOutcomes: "queue_removes",
  autoAdvanceSec: "queue_auto",
} as const;

export const leadFields = {
  name: "lead_name",
  phone: "lead_phone",
  email: "lead_email",
  source: "lead_source",
  state: "lead_state",
  zip: "lead_zip",
  consent: "lead_consent",
  consentText: "lead_consent_text",
  /** What the lead agreed to: prerecorded calls (default) or a queue's automatic dialling (autodial). */
  consentScope: "lead_consent_scope",
  owner: "lead_owner",
  note: "lead_note",
  importFile: "lead_import_file",
} as const;

/** Every input block holds one element with this action id, so values are read as state[block].value. */
export const INPUT_ACTION = "value";
