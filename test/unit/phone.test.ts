import { expect } from "chai";
import { normalisePhone } from "../../src/common/phone";

describe("normalisePhone: a phone number as typed, to E.164", () => {
  it("stores a number in international form, however it is grouped", () => {
    expect(normalisePhone("+48 601 234 567")).to.equal("+48601234567");
    expect(normalisePhone("+1 (415) 555-2671")).to.equal("+14155552671");
    expect(normalisePhone("+44.20.7946.0958")).to.equal("+442079460958");
    expect(normalisePhone("  +48601234567  ")).to.equal("+48601234567");
  });

  it("refuses a number without its country code, one that does not exist, and anything not a string", () => {
    for (const value of ["601 234 567", "0048601234567", "+48 1", "+999 123 456 789", "", 48601234567, null]) {
      expect(normalisePhone(value), String(value)).to.equal(null);
    }
  });

  it("refuses text around the number and extensions, which would otherwise be dropped without a word", () => {
    for (const value of [
      "Call me: +48 601 234 567 please",
      "+48 601 234 567 <script>",
      "+48 601 234 567\u0000",
      "+48 601 234 567\u202E",
      "tel:+48601234567",
      "+48601234567;ext=12",
      "+48601234567x999",
      "+1 (415) 555-2671 ext 5",
      "+48 601 234 567 #",
    ]) {
      expect(normalisePhone(value), JSON.stringify(value)).to.equal(null);
    }
  });
});
