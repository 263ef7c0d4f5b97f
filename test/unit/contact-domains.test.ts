import { expect } from "chai";
import { checkContactDomains, CONTACT_DOMAINS_MAX, normaliseContactDomain } from "../../src/accounts/contact-domains";

describe("unit: allowed contact domains", () => {
  it("stores a domain lower-cased, in ASCII, without its trailing dot", () => {
    expect(normaliseContactDomain(" PARTNER.Example. ")).to.equal("partner.example");
    expect(normaliseContactDomain("bücher.example")).to.equal("xn--bcher-kva.example");
  });

  it("reads ideographic and fullwidth full stops as dots, at the end as well as inside", () => {
    for (const spelling of ["partner。example", "partner．example", "partner｡example", "partner.example。", "partner。example．"]) {
      expect(normaliseContactDomain(spelling), spelling).to.equal("partner.example");
    }
  });

  for (const refused of ["", ".", "*.example.com", "anna@example.com", "example", "exa mple.com", "127.0.0.1", "partner.example.."]) {
    it(`refuses ${JSON.stringify(refused)}`, () => {
      expect(normaliseContactDomain(refused)).to.equal(null);
    });
  }

  it("counts repeats once towards the limit, in whatever spelling they are given", () => {
    const repeats = Array.from({ length: CONTACT_DOMAINS_MAX + 5 }, (_, index) => (index % 2 ? "Same.Example" : "same.example."));
    expect(checkContactDomains(repeats)).to.deep.equal({ ok: true, domains: ["same.example"] });
  });

  it("refuses more distinct domains than the limit, and a list given far longer than it before reading it", () => {
    const distinct = Array.from({ length: CONTACT_DOMAINS_MAX + 1 }, (_, index) => `d${index}.example`);
    expect(checkContactDomains(distinct)).to.deep.equal({ ok: false, problem: "tooMany" });
    expect(checkContactDomains(distinct.slice(1))).to.have.property("ok", true);
    const flood = Array.from({ length: 5 * CONTACT_DOMAINS_MAX + 1 }, () => "same.example");
    expect(checkContactDomains(flood)).to.deep.equal({ ok: false, problem: "tooMany" });
  });

  it("names the first entry it refuses", () => {
    expect(checkContactDomains(["ok.example", "not a domain", "*.example"])).to.deep.equal({ ok: false, problem: "invalid", index: 1 });
  });
});
