import { ObjectType } from "type-graphql";
import { ContactChange } from "./contact-change.entity";
import { ConnectionType } from "../common/pagination";

@ObjectType({ description: "A page of an account's contact history, newest first." })
export class ContactChangeConnection extends ConnectionType(ContactChange, "ContactChange", "changes") {}
