/** The part of s3rver's API the tests use (the package ships no types). */
declare module "s3rver" {
  import type { Server } from "node:http";
  import type { AddressInfo } from "node:net";

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
  }
  /** The part of Koa's context the helper's middleware reads and writes. */
  export interface S3rverContext {
    readonly method: string;
    readonly path: string;
    /** Koa's parsed query; assigning it rewrites the request's query string. */
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
  }
  export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    readonly httpServer: Server;
    /** Koa's middleware list, composed when the server starts listening. */
    readonly middleware: S3rverMiddleware[];
  }
}
