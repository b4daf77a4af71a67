import { createLeadCards, type LeadCards } from "../presenters/lead-cards.js";
import { type CallingLaw, createCallingLaw } from "../services/compliance/calling-law.js";
import { type ComplianceStore, createComplianceStore } from "../services/compliance/compliance-store.js";
import { type ConsentService, createConsentService } from "../services/compliance/consent-service.js";
import { createDncService, type DncService } from "../services/compliance/dnc-service.js";
import { type CardFactsService, createCardFacts } from "../services/leads/card-facts.js";
import { createLeadIntake, type LeadIntake } from "../services/leads/lead-intake.js";
import { createLeadService, type LeadService } from "../services/leads/lead-service.js";
import { createLeadStore } from "../services/leads/lead-store.js";
import { createUploadedLeadImport, type UploadedLeadImport } from "../services/leads/uploaded-import.js";
import type { Core } from "./core.js";

/** Leads and the calling law they are judged by: the lead records, the do-not-call list, consent, the verdict. */
export interface LeadsDomain {
  leads: LeadService;
  leadIntake: LeadIntake;
  cardFacts: CardFactsService;
  leadCards: LeadCards;
  /** The calling-law verdict over the facts Leadline keeps about a lead. */
  law: CallingLaw;
  /** The calling-law domain's queries (facts a call is judged on, the list, consent records). */
  compliance: ComplianceStore;
  dnc: DncService;
  consents: ConsentService;
  /** `/lead import`: a CSV uploaded in Slack, through the command-line import's code. */
  uploadedImport: UploadedLeadImport;
}

export function createLeadsDomain(core: Core): LeadsDomain {
  const { config, database, clock, events } = core;
  const leads = createLeadService({
    store: createLeadStore(database),
    defaultCountry: config.DEFAULT_COUNTRY,
    events: core.events,
  });
  const compliance = createComplianceStore(database);
  const law = createCallingLaw({ store: compliance, settings: core.settings });
  const dnc = createDncService({
    store: compliance,
    admins: core.admins,
    defaultCountry: config.DEFAULT_COUNTRY,
    clock,
  });
  const consents = createConsentService({ store: compliance, clock });
  const cardFacts = createCardFacts({
    settings: core.settings,
    dnc,
    consents,
    law,
    clock,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  const leadCards = createLeadCards({
    leads,
    cardFacts,
    settings: core.settings,
    slackFor: core.slackFor,
    leadsChannel: config.LEADS_CHANNEL_ID,
    clock,
    log: core.log,
  });
  leadCards.subscribe(events);
  return {
    leads,
    leadIntake: createLeadIntake({ leads, consents, dnc, events, clock, defaultCountry: config.DEFAULT_COUNTRY }),
    cardFacts,
    leadCards,
    law,
    compliance,
    dnc,
    consents,
    uploadedImport: createUploadedLeadImport({
      leads,
      gate: core.admins,
      audit: core.audit,
      readFile: async (ws, fileId, maxBytes) => (await core.slackFor(ws)).readFile(fileId, maxBytes),
      log: core.log,
    }),
  };
}
