/**
 * Every route group of the server, one file each, each a `(app, ctx) => void`.
 *
 * @packageDocumentation
 */
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../server-context.js";
import { browseRoutes } from "./browse.js";
import { browserPageRoutes } from "./browser-page.js";
import { catalogRoutes } from "./catalog.js";
import { cmdRoutes } from "./cmd.js";
import { datasetRoutes } from "./datasets.js";
import { listingRoutes } from "./listing.js";
import { objectRoutes } from "./objects.js";
import { repoRoutes } from "./repos.js";
import { storletRoutes } from "./storlets.js";
import { storageModuleRoutes } from "./storage-modules.js";

/** A route group: registers its routes on the app. */
export type RouteGroup = (app: FastifyInstance, ctx: ServerContext) => void;

/** The route groups, in registration order. */
export const ROUTE_GROUPS: readonly RouteGroup[] = [repoRoutes, listingRoutes, objectRoutes, datasetRoutes, catalogRoutes, cmdRoutes, browseRoutes, browserPageRoutes, storletRoutes, storageModuleRoutes];
