import { expect } from "chai";
import { decodeGlobalId, globalId, NODE_TYPE_NAMES, parseGlobalId } from "../../src/common/global-id";
import { groupBy } from "../../src/common/group-by";
import { decodeCursor, encodeCursor } from "../../src/common/pagination";

const ACCOUNT = "0b6c2f6e-1d7a-4c1e-9b5a-2f8e6d4c3b2a";
const USER = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

describe("unit: global ids", () => {
  it("round-trips a key of one or two parts", () => {
    expect(decodeGlobalId(globalId("Account", ACCOUNT))).to.deep.equal({ type: "Account", key: [ACCOUNT] });
    expect(decodeGlobalId(globalId("AccountMember", ACCOUNT, USER))).to.deep.equal({ type: "AccountMember", key: [ACCOUNT, USER] });
    expect(decodeGlobalId(globalId("ContactChange", 42))).to.deep.equal({ type: "ContactChange", key: ["42"] });
  });

  it("is base64url of Type:key, so ids are opaque yet stable", () => {
    expect(globalId("ContactChange", 7)).to.equal(Buffer.from("ContactChange:7").toString("base64url"));
  });

  it("refuses an unknown type, a key of the wrong shape or length, and other spellings of the same bytes", () => {
    const encode = (text: string) => Buffer.from(text).toString("base64url");
    expect(decodeGlobalId(encode(`Widget:${ACCOUNT}`))).to.equal(null);
    expect(decodeGlobalId(encode("Account:not-a-uuid"))).to.equal(null);
    expect(decodeGlobalId(encode("ContactChange:0"))).to.equal(null);
    expect(decodeGlobalId(encode(`AccountMember:${ACCOUNT}`))).to.equal(null);
    expect(decodeGlobalId(encode("constructor:1"))).to.equal(null);
    // 16 bytes leave 4 unused bits in the last character: setting one decodes to the same bytes.
    const issued = globalId("ContactChange", 42);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const respelled = issued.slice(0, -1) + alphabet[alphabet.indexOf(issued.at(-1)!) + 1];
    expect(Buffer.from(respelled, "base64url").equals(Buffer.from(issued, "base64url"))).to.equal(true);
    expect(decodeGlobalId(respelled)).to.equal(null);
    expect(decodeGlobalId("")).to.equal(null);
  });

  it("refuses an id of one type where another is expected, as an id of nothing, naming the field", () => {
    const userId = globalId("User", USER);
    const refusal = (() => {
      try {
        parseGlobalId(userId, "Account", "accountId");
      } catch (error) {
        return error as { code: string; invalidFields: { field: string }[] };
      }
      return null;
    })();
    expect(refusal?.code).to.equal("NOT_FOUND");
    expect(refusal?.invalidFields.map((entry) => entry.field)).to.deep.equal(["accountId"]);
    expect(parseGlobalId(userId, "User", "userId")).to.deep.equal([USER]);
  });

  it("has a key shape for every Node type", () => {
    expect(NODE_TYPE_NAMES).to.include.members(["Account", "User", "AccountMember", "ContactRole", "ContactChange"]);
  });
});

describe("unit: pagination cursors", () => {
  it("round-trips a key of the list's shape", () => {
    const key = ["2026-01-02T03:04:05.006Z", ACCOUNT, 17];
    expect(decodeCursor(encodeCursor(key), ["date", "uuid", "number"], "after")).to.deep.equal(key);
  });

  for (const [name, key] of [
    ["a key of another shape", [ACCOUNT]],
    ["a row id of zero", [0]],
    ["a row id past 32 bits", [2_147_483_648]],
    ["a fraction", [1.5]],
    ["a timestamp not written by the service", ["2026-01-02"]],
  ] as const) {
    it(`refuses ${name} as BAD_USER_INPUT on the field`, () => {
      expect(() => decodeCursor(encodeCursor([...key]), ["number"], "after"))
        .to.throw()
        .with.property("code", "BAD_USER_INPUT");
    });
  }

  it("refuses text that is not base64url, and another spelling of an issued cursor", () => {
    expect(() => decodeCursor("not base64!", ["number"], "before")).to.throw();
    expect(() => decodeCursor(`${encodeCursor([1])}=`, ["number"], "before")).to.throw();
  });
});

describe("unit: groupBy", () => {
  it("groups by key in first-seen order, keeping row order within a group", () => {
    const rows = [
      { account: "b", n: 1 },
      { account: "a", n: 2 },
      { account: "b", n: 3 },
    ];
    const grouped = groupBy(rows, (row) => row.account);
    expect([...grouped.keys()]).to.deep.equal(["b", "a"]);
    expect(grouped.get("b")!.map((row) => row.n)).to.deep.equal([1, 3]);
    expect(grouped.get("a")!.map((row) => row.n)).to.deep.equal([2]);
  });
});
