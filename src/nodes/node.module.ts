import { defineModule } from "../feature-module";
import { NodeResolver } from "./node.resolver";

export const nodeModule = defineModule({ name: "nodes", resolvers: [NodeResolver] });
