import { describe, expect, it } from "vitest";
import { candidateZones, MAX_KNOWN_ZONES, normalizeRegion } from "../../../src/services/compliance/zones.js";

const sorted = (zones: readonly string[]) => [...zones].sort();

describe("candidateZones from the number (Google's map, longest prefix)", () => {
  it.each([
    ["+12125550182", ["America/New_York"], ["NY"], "US"],
    ["+13125550100", ["America/Chicago"], ["IL"], "US"],
    ["+18085550100", ["Pacific/Honolulu"], ["HI"], "US"],
    ["+19075550100", ["America/Adak", "America/Anchorage"], ["AK"], "US"],
    ["+19072220100", ["America/Juneau"], ["AK"], "US"],
    // 850: 185023 is listed as Central; 850-222 only matches 1850, Eastern.
    ["+18502300101", ["America/Chicago"], ["FL"], "US"],
    ["+18502220101", ["America/New_York"], ["FL"], "US"],
    // 208-320 (1208320) lists two zones; 208-523 (120852) one.
    ["+12083200100", ["America/Boise", "America/Los_Angeles"], ["ID"], "US"],
    ["+12085230100", ["America/Denver"], ["ID"], "US"],
    // 203 has no area-code-wide geocode entry; its exchanges say Connecticut.
    ["+12035550100", ["America/New_York"], ["CT"], "US"],
    ["+14165550101", ["America/Toronto"], [], "CA"],
    ["+17875550101", ["America/Puerto_Rico"], [], "PR"],
    ["+442071234567", ["Europe/London"], [], "GB"],
  ])("%s → %j in %j", (phone, zones, states, country) => {
    const found = candidateZones(phone);
    expect(sorted(found.zones)).toEqual(sorted(zones));
    expect(found.states).toEqual(states);
    expect(found.country).toBe(country);
    expect(found.unknown).toBe(false);
  });

  it("treats more than four zones as unknown (the fallback prefix 1, for area codes the map lacks)", () => {
    const found = candidateZones("+17295550101");
    expect(found.unknown).toBe(true);
    expect(found.zones).toEqual([]);
    expect(found.numberZones.length).toBeGreaterThan(MAX_KNOWN_ZONES);
    expect(found.numberZones).toContain("America/Chicago");
  });

  it("treats a number the map does not know at all as unknown", () => {
    expect(candidateZones("+99912345").unknown).toBe(true);
  });

  it("applies federal law to territories and Canadian law to Canadian numbers", () => {
    expect(candidateZones("+17875550101").countries).toEqual(["US"]);
    expect(candidateZones("+14165550101").countries).toEqual(["CA"]);
    expect(candidateZones("+442071234567").countries).toEqual(["GB"]);
  });
});

describe("candidateZones with an address", () => {
  it("adds the ZIP's zone and state to the number's", () => {
    const found = candidateZones("+13125550100", { zip: "33101" });
    expect(sorted(found.zones)).toEqual(["America/Chicago", "America/New_York"]);
    expect(sorted(found.states)).toEqual(["FL", "IL"]);
  });

  it("adds every zone of a state given without a ZIP", () => {
    const found = candidateZones("+18502300101", { state: "FL" });
    expect(sorted(found.zones)).toEqual(["America/Chicago", "America/New_York"]);
  });

  it("accepts state names and codes in any case", () => {
    expect(normalizeRegion(" fl ")).toBe("FL");
    expect(normalizeRegion("Florida")).toBe("FL");
    expect(normalizeRegion("ontario")).toBe("ON");
    expect(normalizeRegion("XX")).toBeUndefined();
    expect(candidateZones("+12125550182", { state: "Texas" }).states).toEqual(["NY", "TX"]);
  });

  it("ignores a state it does not know", () => {
    expect(candidateZones("+12125550182", { state: "XX", zip: "" }).states).toEqual(["NY"]);
  });

  it("uses the address's zones alone when the number's are unknown, and the whole state for a ZIP", () => {
    const withState = candidateZones("+17295550101", { state: "TN" });
    expect(withState.unknown).toBe(false);
    expect(sorted(withState.zones)).toEqual(["America/Chicago", "America/New_York"]);
    expect(withState.countries).toEqual(["US"]);
    // El Paso is Mountain, Texas also Central: with nothing to corroborate the ZIP table, both count.
    const withZip = candidateZones("+17295550101", { zip: "79901" });
    expect(sorted(withZip.zones)).toEqual(["America/Chicago", "America/Denver"]);
    expect(withZip.states).toEqual(["TX"]);
  });

  it("corrects zipcode-to-timezone's known error for 97914 (Mountain, not Pacific)", () => {
    const found = candidateZones("+15418890100", { zip: "97914" });
    expect(found.zones).not.toContain("America/Los_Angeles");
    expect(sorted(found.zones)).toEqual(["America/Boise", "America/Denver"]);
  });

  it("reads a Canadian postal code's province", () => {
    const found = candidateZones("+14165550101", { zip: "M5V 3L9" });
    expect(found.zones).toContain("America/Toronto");
    expect(found.states).toEqual([]);
  });

  it("applies US law to a Canadian number whose lead lives in a US state", () => {
    const found = candidateZones("+14165550101", { state: "NY" });
    expect(sorted(found.countries)).toEqual(["CA", "US"]);
    expect(found.states).toEqual(["NY"]);
  });
});
