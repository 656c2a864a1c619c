/**
 * The read-only routes behind the browser page, under `/api/v1/repos/NAME/browse/`: lists
 * (`types`, `ids/TYPE`), a dataset's description, header and catalog rows (`dataset/TYPE`,
 * `header/TYPE`, `catalog/TYPE`) and PNG previews (`preview/TYPE`). Every one needs the read scope
 * (none with `--public-read`); the data id is given as `id.KEY=VALUE` parameters.
 *
 * @packageDocumentation
 */
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../server-context.js";
import { TransferGate } from "../transfer-gate.js";
import { browseDatasetRoutes } from "./browse-dataset.js";
import { browseListRoutes } from "./browse-lists.js";
import { browsePreviewRoutes } from "./browse-preview.js";

/** Whole-dataset reads (previews, catalogs) at once: each holds a dataset in memory. */
export const MAX_BROWSE_READS = 2;
/** Browse reads that may wait for a slot before the server answers 503. */
export const MAX_BROWSE_WAITING = 64;

/** Registers the browse routes. */
export function browseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const gate = new TransferGate(MAX_BROWSE_READS, MAX_BROWSE_WAITING);
  browseListRoutes(app, ctx);
  browseDatasetRoutes(app, ctx, gate);
  browsePreviewRoutes(app, ctx, gate);
}
