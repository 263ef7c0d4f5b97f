import { Field, ID, InterfaceType } from "type-graphql";

/** Relay's global object identification: every object a client may cache, found again by `node(id:)`. */
@InterfaceType("Node", {
  description: "An object with a global id: `Query.node(id:)` finds it again, and clients can cache it by that id.",
})
export abstract class Node {
  @Field(() => ID, { description: "The object's global id: opaque, stable, and naming its type." })
  id: string;
}
