import { ArgsType, ObjectType } from "type-graphql";
import { ContactChange } from "./contact-change.entity";
import { ConnectionType, PageArgsType } from "../common/pagination";

@ObjectType({ description: "A page of an account's contact history, newest first." })
export class ContactChangeConnection extends ConnectionType(ContactChange, "ContactChange", "changes") {}

@ArgsType()
export class HistoryPageArgs extends PageArgsType(20) {}
