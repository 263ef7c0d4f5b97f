import { expect } from "chai";
import { checkEmail, EMAIL_MAX_LENGTH, mailboxOf } from "../../src/common/email";
import { checkName, cleanName, NAME_MAX_LENGTH } from "../../src/common/names";

describe("unit: email addresses", () => {
  it("stores an address trimmed of spaces and lower-cased", () => {
    expect(checkEmail("  Ada.Lovelace@Example.COM ")).to.deep.equal({ ok: true, email: "ada.lovelace@example.com" });
  });

  it("encodes an international domain as punycode, and refuses a non-ASCII local part", () => {
    expect(checkEmail("info@bücher.example")).to.deep.equal({ ok: true, email: "info@xn--bcher-kva.example" });
    expect(checkEmail("zoë@example.com")).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.emailNonAscii" });
  });

  for (const refused of [
    "",
    "no-at-sign",
    "@example.com",
    "a@b",
    "a b@example.com",
    "a@exa mple.com",
    '"a"@example.com',
    "a@127.0.0.1",
    "a\u200b@example.com",
    "a@xn--zz.example",
  ]) {
    it(`refuses ${JSON.stringify(refused)} as invalid`, () => {
      expect(checkEmail(refused)).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.emailInvalid" });
    });
  }

  it(`accepts ${EMAIL_MAX_LENGTH} characters and refuses one more as too long; 64 before the @ at most`, () => {
    expect(checkEmail(`${"a".repeat(64)}@example.com`).ok).to.equal(true);
    expect(checkEmail(`${"a".repeat(65)}@example.com`)).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.emailInvalid" });
    expect(checkEmail(`${"a".repeat(EMAIL_MAX_LENGTH)}@example.com`)).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.emailTooLong" });
  });

  it("counts mail per mailbox: tags and Gmail's dots name one mailbox", () => {
    expect(mailboxOf("ada+billing@example.com")).to.equal("ada@example.com");
    expect(mailboxOf("a.d.a@gmail.com")).to.equal(mailboxOf("ada@googlemail.com"));
  });
});

describe("unit: names", () => {
  it("stores a name trimmed and in NFC", () => {
    expect(checkName("  Zoe\u0308 ")).to.deep.equal({ ok: true, name: "Zoë" });
  });

  it("refuses control characters, line breaks and bidi overrides, but keeps emoji joiners and subdivision flags", () => {
    for (const bad of ["a\nb", "a\u0000b", "a\u202eb", "a\u2028b", "a\u200bb"])
      expect(checkName(bad), JSON.stringify(bad)).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.nameHasControls" });
    expect(checkName("👩\u200d💻 Team").ok).to.equal(true);
    expect(checkName("Team \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}").ok).to.equal(true);
  });

  it("refuses a name with nothing visible, a name that is not text, and more than 200 characters", () => {
    expect(checkName("   \u3164 ")).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.nameEmpty" });
    expect(checkName(42)).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.nameNotText" });
    expect(checkName("x".repeat(NAME_MAX_LENGTH)).ok).to.equal(true);
    expect(checkName("x".repeat(NAME_MAX_LENGTH + 1))).to.deep.equal({ ok: false, problem: "BAD_USER_INPUT.nameTooLong" });
    // Counted in characters, not UTF-16 units.
    expect(checkName("😀".repeat(NAME_MAX_LENGTH)).ok).to.equal(true);
  });

  it("cleans a name it cannot refuse: line breaks become spaces, bidi controls go, cut to 200", () => {
    expect(cleanName(" Ada\r\nLovelace\u202e ")).to.equal("Ada Lovelace");
    expect(cleanName("y".repeat(NAME_MAX_LENGTH + 10))).to.have.lengthOf(NAME_MAX_LENGTH);
    expect(cleanName("\u0000\u200b")).to.equal(null);
  });
});
