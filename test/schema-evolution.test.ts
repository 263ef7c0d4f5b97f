import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  buildASTSchema,
  Kind,
  parse,
  parseType,
  visit,
  type ASTVisitor,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { createSchema } from "../src/schema";
import { checkSchemaEvolution, describeChanges } from "./helpers/schema-gate";

/*
 * The breaking-change gate: schema/released.graphql is the schema of the
 * last release; the schema emitted from the code may only grow from it. What it removes or changes
 * incompatibly must have been @deprecated in the released copy. The first test is the gate; the
 * others prove, on edited copies of the released schema, that it refuses and allows what it should.
 */

const RELEASED_FILE = path.resolve(__dirname, "..", "..", "schema", "released.graphql");
const releasedText = fs.readFileSync(RELEASED_FILE, "utf8");
const releasedDocument = parse(releasedText);
const releasedVersion = /^# The schema of contact-points (\d+\.\d+\.\d+) as released/.exec(releasedText)?.[1];
const packageVersion = (JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "package.json"), "utf8")) as { version: string })
  .version;
/** The reviewed breaking changes of the next major release (schema/accepted-breaking.json). */
const acceptedForMajor = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "schema", "accepted-breaking.json"), "utf8")) as {
  version: string;
  accepted: string[];
};
const major = (version: string) => Number(version.split(".")[0]);

const schemaOf = (document: DocumentNode): GraphQLSchema => buildASTSchema(document);

/** The released schema, edited. */
function edited(visitor: ASTVisitor, document: DocumentNode = releasedDocument): DocumentNode {
  return visit(document, visitor);
}

const deprecated = (reason: string): DirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: "deprecated" },
  arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "reason" }, value: { kind: Kind.STRING, value: reason } }],
});

function withoutField(typeName: string, fieldName: string, document?: DocumentNode): DocumentNode {
  return edited(
    {
      ObjectTypeDefinition(node) {
        if (node.name.value !== typeName) return undefined;
        return { ...node, fields: node.fields?.filter((field) => field.name.value !== fieldName) };
      },
    },
    document,
  );
}

function withFieldDeprecated(typeName: string, fieldName: string): DocumentNode {
  return edited({
    ObjectTypeDefinition(node) {
      if (node.name.value !== typeName) return undefined;
      return {
        ...node,
        fields: node.fields?.map((field) =>
          field.name.value === fieldName ? { ...field, directives: [deprecated(`Use something else.`)] } : field,
        ),
      };
    },
  });
}

function withoutTypes(names: string[], document: DocumentNode): DocumentNode {
  return {
    ...document,
    definitions: document.definitions.filter(
      (definition) => !("name" in definition && definition.name && names.includes(definition.name.value)),
    ),
  };
}

function withEnumValue(
  enumName: string,
  valueName: string,
  change: "remove" | "deprecate",
  document: DocumentNode = releasedDocument,
): DocumentNode {
  return edited(
    {
      EnumTypeDefinition(node) {
        if (node.name.value !== enumName) return undefined;
        const values =
          change === "remove"
            ? node.values?.filter((value) => value.name.value !== valueName)
            : node.values?.map((value) =>
                value.name.value === valueName ? { ...value, directives: [deprecated("No longer sent.")] } : value,
              );
        return { ...node, values };
      },
    },
    document,
  );
}

function withField(
  typeName: string,
  field: string,
  type: string,
  args: Record<string, string> = {},
  document: DocumentNode = releasedDocument,
): DocumentNode {
  return edited(
    {
      ObjectTypeDefinition(node) {
        if (node.name.value !== typeName) return undefined;
        const existing = node.fields?.find((candidate) => candidate.name.value === field);
        const definition = {
          kind: Kind.FIELD_DEFINITION,
          description: { kind: Kind.STRING, value: `The ${field}.`, block: false },
          name: { kind: Kind.NAME, value: field },
          arguments: Object.entries(args).map(([name, argumentType]) => ({
            kind: Kind.INPUT_VALUE_DEFINITION,
            name: { kind: Kind.NAME, value: name },
            type: parseType(argumentType),
          })),
          type: parseType(type),
        } as const;
        const fields = existing
          ? node.fields!.map((candidate) =>
              candidate === existing
                ? { ...existing, type: definition.type, arguments: [...(existing.arguments ?? []), ...definition.arguments] }
                : candidate,
            )
          : [...(node.fields ?? []), definition];
        return { ...node, fields };
      },
    },
    document,
  );
}

async function gate(released: DocumentNode, current: DocumentNode) {
  return checkSchemaEvolution(schemaOf(released), schemaOf(current));
}

const pathsOf = (changes: { path?: string }[]) => changes.map((change) => change.path);

describe("schema evolution gate (schema/released.graphql)", () => {
  it("finds no breaking change from the released schema to the schema emitted from the code, unless it was deprecated or reviewed for a new major version", async () => {
    const result = await checkSchemaEvolution(schemaOf(releasedDocument), await createSchema());
    expect(releasedVersion, "the released schema's header names its version").to.be.a("string");
    const newMajor = major(packageVersion) > major(releasedVersion!);
    // A breaking change passes only in a new major version, and only if the reviewed list names it.
    const accepted = newMajor ? acceptedForMajor.accepted : [];
    if (newMajor)
      expect(acceptedForMajor.version, "schema/accepted-breaking.json is for the version package.json names").to.equal(packageVersion);
    const named = (change: { type: string; path?: string }) => `${change.type} ${change.path ?? ""}`;
    expect(
      accepted.filter((entry) => !result.refused.some((change) => named(change) === entry)),
      "entries of schema/accepted-breaking.json that match no breaking change: remove them",
    ).to.deep.equal([]);
    expect(
      result.refused.filter((change) => !accepted.includes(named(change))),
      `Breaking changes to the released API (schema/released.graphql). Keep the old field, argument or value, ` +
        `mark it @deprecated(reason: "…") in a release first, and remove it in a later one:\n${describeChanges(result.refused)}\n`,
    ).to.deep.equal([]);
  });

  it("refuses a field removed without deprecation", async () => {
    const result = await gate(releasedDocument, withoutField("Account", "name"));
    expect(result.refused.map((change) => change.type)).to.deep.equal(["FIELD_REMOVED"]);
    expect(pathsOf(result.refused)).to.deep.equal(["Account.name"]);
  });

  it("allows removing a field that the released schema deprecated", async () => {
    const released = withFieldDeprecated("Account", "name");
    const result = await gate(released, withoutField("Account", "name", released));
    expect(result.refused).to.deep.equal([]);
    expect(pathsOf(result.allowed)).to.deep.equal(["Account.name"]);
  });

  it("allows adding a field: no breaking change at all", async () => {
    const result = await gate(releasedDocument, withField("Account", "website", "String"));
    expect(result.refused).to.deep.equal([]);
    expect(result.allowed).to.deep.equal([]);
    expect(result.changes.map((change) => `${change.criticality.level} ${change.type} ${change.path}`)).to.deep.equal([
      "NON_BREAKING FIELD_ADDED Account.website",
      "NON_BREAKING FIELD_DESCRIPTION_ADDED Account.website",
    ]);
  });

  it("refuses changing a field's type incompatibly (non-null to nullable) and adding a required argument", async () => {
    const nullable = await gate(releasedDocument, withField("Account", "primaryContact", "User"));
    expect(nullable.refused.map((change) => `${change.type} ${change.path}`)).to.deep.equal(["FIELD_TYPE_CHANGED Account.primaryContact"]);

    const requiredArgument = await gate(
      releasedDocument,
      withField("Account", "roleContacts", "[ContactRole!]!", { kind: "ContactRoleKind!" }),
    );
    expect(requiredArgument.refused.map((change) => `${change.type} ${change.path}`)).to.deep.equal([
      "FIELD_ARGUMENT_ADDED Account.roleContacts.kind",
    ]);
  });

  it("refuses removing an enum value unless the released schema deprecated it", async () => {
    const refused = await gate(releasedDocument, withEnumValue("ContactIssueKind", "VERIFICATION_STALE", "remove"));
    expect(pathsOf(refused.refused)).to.deep.equal(["ContactIssueKind.VERIFICATION_STALE"]);

    const released = withEnumValue("ContactIssueKind", "VERIFICATION_STALE", "deprecate");
    const allowed = await gate(released, withEnumValue("ContactIssueKind", "VERIFICATION_STALE", "remove", released));
    expect(allowed.refused).to.deep.equal([]);
    expect(pathsOf(allowed.allowed)).to.deep.equal(["ContactIssueKind.VERIFICATION_STALE"]);
  });

  it("allows removing types only reachable through a deprecated field, and refuses it otherwise", async () => {
    const healthTypes = ["ContactHealth", "ContactIssue", "ContactIssueKind"];
    const withoutHealth = (document: DocumentNode) => withoutTypes(healthTypes, withoutField("Account", "contactHealth", document));

    const refused = await gate(releasedDocument, withoutHealth(releasedDocument));
    expect(pathsOf(refused.refused)).to.have.members(["Account.contactHealth", ...healthTypes]);

    const released = withFieldDeprecated("Account", "contactHealth");
    const allowed = await gate(released, withoutHealth(released));
    expect(allowed.refused).to.deep.equal([]);
    expect(pathsOf(allowed.allowed)).to.have.members(["Account.contactHealth", ...healthTypes]);
  });

  it("refuses removing a Node type even when its fields were deprecated: node(id:) still reaches it", async () => {
    // Every Node type can be asked for through `node(id:) { ... on ContactChange { … } }`, so removing
    // one breaks such documents whatever else was deprecated.
    const released = withFieldDeprecated("Account", "contactHistory");
    const current = withoutTypes(
      ["ContactChange", "ContactChangeConnection", "ContactChangeEdge", "ContactChangeAction"],
      withoutField("Account", "contactHistory", released),
    );
    const result = await gate(released, current);
    expect(pathsOf(result.refused)).to.include("ContactChange");
    expect(pathsOf(result.allowed)).to.include.members(["Account.contactHistory", "ContactChangeConnection", "ContactChangeEdge"]);
  });
});
