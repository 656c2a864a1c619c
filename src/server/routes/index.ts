/**
 * Every route group of the server, one file each. Phase 2 adds the dataset routes here
 * (`datasets.ts`: `GET|HEAD|PUT /api/v1/repos/NAME/datasets/TYPE?k=v…`; `catalog.ts`:
 * `/types`, `/keys/TYPE`, `/query/TYPE`), each a `(app, ctx) => void` like these.
 *
 * @packageDocumentation
 */
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../server-context.js";
import { cmdRoutes } from "./cmd.js";
import { listingRoutes } from "./listing.js";
import { objectRoutes } from "./objects.js";
import { repoRoutes } from "./repos.js";
import { storageModuleRoutes } from "./storage-modules.js";

/** A route group: registers its routes on the app. */
export type RouteGroup = (app: FastifyInstance, ctx: ServerContext) => void;

/** The route groups, in registration order. */
export const ROUTE_GROUPS: readonly RouteGroup[] = [repoRoutes, listingRoutes, objectRoutes, cmdRoutes, storageModuleRoutes];
