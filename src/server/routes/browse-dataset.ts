/**
 * One dataset as the browser page shows it, read-only and read-scoped:
 *
 * - `GET /api/v1/repos/NAME/browse/dataset/TYPE?id.KEY=VALUE…` — its kind and, from headers alone,
 *   an image's size (`_bbox`) or a catalog's row count (`_len`); 404 when it is not stored;
 * - `GET …/browse/header/TYPE?id.…` — its FITS header (`_md`: what a full read's metadata is), at
 *   most {@link MAX_CARDS} cards;
 * - `GET …/browse/catalog/TYPE?id.…&offset=&limit=` — a catalog's columns and one page of rows.
 *
 * @packageDocumentation
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Butler } from "../../butler/butler.js";
import type { DataIdValue } from "../../data-id.js";
import { DatasetNotFoundError, UsageError } from "../../errors.js";
import type { Box2I } from "../../image/box.js";
import { Catalog } from "../../image/catalog.js";
import type { Header } from "../../image/header.js";
import { dataIdParam, intParam, type QueryParams } from "../browse-params.js";
import { catalogColumns, catalogRows, headerCards } from "../browse-json.js";
import { kindOf, type DatasetKind } from "../dataset-kinds.js";
import type { ServerContext } from "../server-context.js";
import type { TransferGate } from "../transfer-gate.js";

/** Most header cards sent (a header this long is a damaged or unusual file). */
export const MAX_CARDS = 10_000;
/** Most catalog rows in one page. */
export const MAX_ROWS_PAGE = 500;

type TypeRequest = FastifyRequest<{ Params: { repo: string; type: string }; Querystring: QueryParams }>;

/** A dataset named by a request: its Butler, type, kind and data id. */
export interface BrowsedDataset {
  butler: Butler;
  type: string;
  kind: DatasetKind;
  dataId: Record<string, DataIdValue>;
}

/**
 * The dataset a browse request names (`:repo`, `:type`, `id.KEY=VALUE…`), after the read check.
 * @throws AuthError, PermissionDeniedError; NotFoundError for an unknown repository;
 *   UnknownDatasetTypeError; DataIdError for an unknown key or a mistyped value
 */
export async function browsedDataset(ctx: ServerContext, req: TypeRequest, what: string): Promise<BrowsedDataset> {
  const { repo, type } = req.params;
  ctx.access.require(req.headers, "read", `${what} of "${type}" in repo "${repo}"`);
  const butler = await ctx.repos.get(repo).butler();
  const keys = butler.getKeys(type);
  const dataId = dataIdParam(req.query, keys);
  return { butler, type, kind: kindOf(type, new Set(butler.getDatasetTypes())), dataId };
}

/** Registers the dataset routes; catalog reads pass `gate` (they may be large). */
export function browseDatasetRoutes(app: FastifyInstance, ctx: ServerContext, gate: TransferGate): void {
  app.get("/api/v1/repos/:repo/browse/dataset/:type", async (req: TypeRequest) => {
    const { butler, type, kind, dataId } = await browsedDataset(ctx, req, "the description");
    const base = { repo: req.params.repo, type, kind, dataId };
    if (kind === "image") {
      const { x0, y0, width, height } = await butler.get<Box2I>(`${type}_bbox`, dataId);
      return { ...base, image: { x0, y0, width, height } };
    }
    if (kind === "catalog") return { ...base, rows: await butler.get<number>(`${type}_len`, dataId) };
    if (!(await butler.datasetExists(type, dataId))) throw new DatasetNotFoundError(type, dataId, []);
    return base;
  });

  app.get("/api/v1/repos/:repo/browse/header/:type", async (req: TypeRequest) => {
    const { butler, type, kind, dataId } = await browsedDataset(ctx, req, "the header");
    if (kind === "other") throw new UsageError(`"${type}" is not a FITS dataset: it has no header to show`);
    const header = await butler.get<Header>(`${type}_md`, dataId);
    return { total: header.length, cards: headerCards(header, MAX_CARDS) };
  });

  app.get("/api/v1/repos/:repo/browse/catalog/:type", async (req: TypeRequest) => {
    const { butler, type, kind, dataId } = await browsedDataset(ctx, req, "the rows");
    const offset = intParam(req.query, "offset", 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = intParam(req.query, "limit", 1, MAX_ROWS_PAGE, 100);
    if (kind !== "catalog") throw new UsageError(`"${type}" is not a catalog: it has no rows to show`);
    const release = await gate.enter();
    try {
      const catalog = await butler.get(type, dataId);
      if (!(catalog instanceof Catalog)) throw new UsageError(`"${type}" did not read as a catalog`);
      const columns = catalogColumns(catalog);
      return { total: catalog.length, offset, limit, columns, rows: catalogRows(catalog, columns, offset, limit) };
    } finally {
      release();
    }
  });
}
