import path from "node:path";
import { expect } from "chai";
import * as esbuild from "esbuild";

// The settings screen's live-update rules (examples/settings-app/src/live.ts), run as the screen's own
// bundler compiles them; the browser test (test/e2e/settings-app.e2e.ts) drives them through the page.
const APP_SRC = path.resolve(__dirname, "..", "..", "examples", "settings-app", "src");

type RoleValue = { kind: "nobody" } | { kind: "member"; userId: string } | { kind: "outside"; email: string };
interface FormValues {
  primaryContactUserId: string;
  billingContactUserIds: string[];
  roles: Record<"DECISION_MAKER" | "IMPLEMENTATION" | "SECURITY" | "TECHNICAL_ADMIN", RoleValue>;
  otherRoles: unknown[];
}
interface Baseline {
  version: number;
  updatedAt: string;
  values: FormValues;
}
interface Actor {
  __typename: "User";
  id: string;
  email: string;
  name: string | null;
}
interface Contested {
  slot: string;
  by: Actor | null;
}
interface FormState {
  baseline: Baseline;
  draft: FormValues;
  contested: Contested[];
}
interface Row {
  id: string;
  version: number | null;
  slot: string;
}
interface Live {
  formAfterChange(state: FormState, latest: Baseline, by: (slot: string) => Actor | null): FormState;
  openContests(state: FormState): Contested[];
  keepMine(state: FormState): FormState;
  useTheirs(state: FormState): FormState;
  summaryOf(event: unknown): { slots: string[]; members: boolean; settings: boolean; by: Actor | null };
  addRows(existing: Row[], incoming: Row[]): Row[];
  historyRows(added: Row[], read: Row[]): { rows: Row[]; addedCount: number };
  CATALOGUES: Record<"en" | "pl", { live: { changed: (who: string, what: string[]) => string; slotObject: Record<string, string> } }>;
}

const GRACE: Actor = { __typename: "User", id: "u-grace", email: "grace.hopper@northwind.example", name: "Grace Hopper" };

function values(overrides: Partial<Omit<FormValues, "roles">> & { roles?: Partial<FormValues["roles"]> } = {}): FormValues {
  return {
    primaryContactUserId: overrides.primaryContactUserId ?? "u-ada",
    billingContactUserIds: overrides.billingContactUserIds ?? ["u-katherine"],
    roles: {
      DECISION_MAKER: { kind: "member", userId: "u-alan" },
      IMPLEMENTATION: { kind: "nobody" },
      SECURITY: { kind: "outside", email: "alerts@contractor.example" },
      TECHNICAL_ADMIN: { kind: "member", userId: "u-alan" },
      ...overrides.roles,
    },
    otherRoles: [],
  };
}

const at = (version: number, form: FormValues): Baseline => ({ version, updatedAt: `2026-12-07T19:0${version}:00.000Z`, values: form });
const member = (userId: string): RoleValue => ({ kind: "member", userId });
const by = (actor: Actor | null) => () => actor;

describe("the settings screen's live updates (examples/settings-app/src/live.ts)", () => {
  let live: Live;

  before(async () => {
    // esbuild strips the types, so the generated GraphQL types (src/gql/, written by the screen's build) are not needed.
    const bundled = await esbuild.build({
      stdin: { contents: 'export * from "./live"; export { CATALOGUES } from "./i18n";', resolveDir: APP_SRC, loader: "ts" },
      bundle: true,
      write: false,
      format: "cjs",
      platform: "node",
      target: "es2022",
      logLevel: "silent",
    });
    const module = { exports: {} as Live };
    new Function("module", "exports", bundled.outputFiles[0]!.text)(module, module.exports);
    live = module.exports;
  });

  const loaded = at(1, values());

  it("takes another admin's change into a slot the user has not edited, and keeps the user's edit of another", () => {
    const mine = values({ roles: { IMPLEMENTATION: member("u-katherine") } });
    const theirs = values({ billingContactUserIds: ["u-katherine", "u-edsger"] });
    const next = live.formAfterChange({ baseline: loaded, draft: mine, contested: [] }, at(2, theirs), by(GRACE));
    expect(next.baseline.version, "the next Save sends the new version").to.equal(2);
    expect(next.draft.billingContactUserIds).to.deep.equal(["u-katherine", "u-edsger"]);
    expect(next.draft.roles.IMPLEMENTATION).to.deep.equal(member("u-katherine"));
    expect(next.contested).to.deep.equal([]);
  });

  it("keeps the user's unsaved value of a slot the other admin changed too, and names the slot and who changed it", () => {
    const mine = values({ roles: { DECISION_MAKER: member("u-ada"), IMPLEMENTATION: member("u-katherine") } });
    const theirs = values({ roles: { DECISION_MAKER: member("u-edsger") } });
    const next = live.formAfterChange({ baseline: loaded, draft: mine, contested: [] }, at(2, theirs), by(GRACE));
    expect(next.contested).to.deep.equal([{ slot: "DECISION_MAKER", by: GRACE }]);
    expect(next.draft.roles.DECISION_MAKER).to.deep.equal(member("u-ada"));
    expect(next.draft.roles.IMPLEMENTATION).to.deep.equal(member("u-katherine"));
    expect(next.baseline.values.roles.DECISION_MAKER).to.deep.equal(member("u-edsger"));

    const theirsTaken = live.useTheirs(next);
    expect(theirsTaken.draft.roles.DECISION_MAKER, "Use theirs").to.deep.equal(member("u-edsger"));
    expect(theirsTaken.draft.roles.IMPLEMENTATION, "the other edit stays").to.deep.equal(member("u-katherine"));
    expect(theirsTaken.contested).to.deep.equal([]);

    const mineKept = live.keepMine(next);
    expect(mineKept.draft.roles.DECISION_MAKER, "Keep mine").to.deep.equal(member("u-ada"));
    expect(mineKept.baseline.version, "saved over the latest version").to.equal(2);
    expect(mineKept.contested).to.deep.equal([]);
  });

  it("names, for each contested slot, who changed it", () => {
    const EDSGER: Actor = { __typename: "User", id: "u-edsger", email: "edsger.dijkstra@northwind.example", name: "Edsger Dijkstra" };
    const mine = values({ primaryContactUserId: "u-edsger", roles: { DECISION_MAKER: member("u-ada") } });
    const theirs = values({ primaryContactUserId: "u-katherine", roles: { DECISION_MAKER: member("u-edsger") } });
    const next = live.formAfterChange({ baseline: loaded, draft: mine, contested: [] }, at(3, theirs), (slot) =>
      slot === "PRIMARY" ? EDSGER : GRACE,
    );
    expect(next.contested).to.deep.equal([
      { slot: "PRIMARY", by: EDSGER },
      { slot: "DECISION_MAKER", by: GRACE },
    ]);
  });

  it("asks about nothing when both set a slot to the same value", () => {
    const same = values({ roles: { DECISION_MAKER: member("u-edsger") } });
    const next = live.formAfterChange({ baseline: loaded, draft: same, contested: [] }, at(2, same), by(GRACE));
    expect(next.contested).to.deep.equal([]);
    expect(next.baseline.version).to.equal(2);
  });

  it("ignores a version the form already has: its own save arriving as an event, or a replay", () => {
    const state = { baseline: at(3, values()), draft: values({ primaryContactUserId: "u-edsger" }), contested: [] };
    expect(live.formAfterChange(state, at(3, values({ billingContactUserIds: [] })), by(GRACE))).to.equal(state);
    expect(live.formAfterChange(state, at(2, values({ billingContactUserIds: [] })), by(GRACE))).to.equal(state);
  });

  it("keeps a contest open across later changes of other slots, and ends it when the user sets the saved value", () => {
    const mine = values({ roles: { DECISION_MAKER: member("u-ada") } });
    const first = live.formAfterChange(
      { baseline: loaded, draft: mine, contested: [] },
      at(2, values({ roles: { DECISION_MAKER: member("u-edsger") } })),
      by(GRACE),
    );
    const second = live.formAfterChange(
      first,
      at(3, values({ roles: { DECISION_MAKER: member("u-edsger") }, primaryContactUserId: "u-katherine" })),
      by(null),
    );
    expect(second.contested).to.deep.equal([{ slot: "DECISION_MAKER", by: GRACE }]);
    expect(second.draft.primaryContactUserId).to.equal("u-katherine");
    const agreed = { ...second, draft: { ...second.draft, roles: { ...second.draft.roles, DECISION_MAKER: member("u-edsger") } } };
    expect(live.openContests(agreed)).to.deep.equal([]);
  });

  it("says what a change was about, slots in the form's order, in both languages", () => {
    const summary = live.summaryOf({
      sequence: 7,
      at: "2026-12-07T19:00:00.000Z",
      kinds: ["CONTACTS"],
      changedBy: GRACE,
      changes: [{ slot: "DECISION_MAKER" }, { slot: "BILLING" }, { slot: "BILLING" }],
      memberChanges: [],
      settingChanges: [],
    });
    expect(summary.slots).to.deep.equal(["BILLING", "DECISION_MAKER"]);
    expect(summary.members).to.equal(false);
    const sentence = (language: "en" | "pl") => {
      const { live: texts } = live.CATALOGUES[language];
      return texts.changed(
        "Grace Hopper",
        summary.slots.map((slot) => texts.slotObject[slot]!),
      );
    };
    expect(sentence("en")).to.equal("Grace Hopper changed the billing contacts and the decision maker");
    expect(sentence("pl")).to.equal("Grace Hopper zmienił(a) kontakty rozliczeniowe i osobę decyzyjną");
  });

  it("adds history rows once each, newest version first, and counts only those the panel did not read", () => {
    const save = [
      { id: "c1", version: 5, slot: "PRIMARY" },
      { id: "c2", version: 5, slot: "BILLING" },
    ];
    const later = [{ id: "c3", version: 6, slot: "SECURITY" }];
    // The event of this user's own save repeats the save's rows; an older event arrives late.
    const rows = live.addRows(live.addRows(live.addRows(live.addRows([], save), later), save), [{ id: "c0", version: 4, slot: "BILLING" }]);
    expect(rows.map((row) => row.id)).to.deep.equal(["c3", "c2", "c1", "c0"]);
    const { rows: shown, addedCount } = live.historyRows(rows, [
      { id: "c0", version: 4, slot: "BILLING" },
      { id: "b9", version: 3, slot: "PRIMARY" },
    ]);
    expect(shown.map((row) => row.id)).to.deep.equal(["c3", "c2", "c1", "c0", "b9"]);
    expect(addedCount).to.equal(3);
  });
});
