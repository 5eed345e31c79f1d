/**
 * A typed client of victim-api in a few lines: openapi-fetch at run time, the
 * types generated from openapi/openapi.yaml by openapi-typescript (`make clients`
 * writes ./schema.d.ts). Nothing here is hand-typed: a change to the contract
 * that breaks this usage fails `make clients-check` (tsc --strict) in CI, and
 * tests/clients/test_typescript_client.py runs it against a real server.
 *
 * It obtains an access token (OAuth2 client credentials, POST /v1/oauth/token)
 * for an AUDITOR client, reads a page of the audit trail (GET /v1/audit-events)
 * and reports errors through the contract's Problem type (RFC 9457).
 */
import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

/** Every 4xx/5xx of the API, except the token endpoint's 400/401 (below). */
export type Problem = components["schemas"]["Problem"];
/** The token endpoint's 400/401 are RFC 6749 §5.2 errors, not problems. */
export type OAuthError = components["schemas"]["OAuthError"];
export type AuditEvent = components["schemas"]["AuditEventPublic"];

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    // `detail` is safe to show; quote `request_id` when reporting a problem.
    super(`${problem.status} ${problem.code}: ${problem.detail} (request ${problem.request_id ?? "?"})`);
  }
}

export function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "code" in body && "status" in body;
}

/** POST /v1/oauth/token with the client's id and secret as form fields. */
export async function getAccessToken(
  baseUrl: string,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const api = createClient<paths>({ baseUrl });
  const { data, error, response } = await api.POST("/v1/oauth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
    // openapi-fetch form-encodes the body when told the media type.
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (error !== undefined) {
    if (isProblem(error)) throw new ApiProblem(error);
    const oauth: OAuthError = error;
    throw new Error(`token request refused (${response.status}): ${oauth.error}`);
  }
  return data.access_token;
}

/** A client that sends the bearer token with every request. */
export function authorisedClient(baseUrl: string, accessToken: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${accessToken}` } });
}

/** GET /v1/audit-events: one page of the trail, newest chain positions last. */
export async function recentAuditEvents(
  baseUrl: string,
  accessToken: string,
  limit: number,
): Promise<AuditEvent[]> {
  const api = authorisedClient(baseUrl, accessToken);
  const { data, error } = await api.GET("/v1/audit-events", {
    params: { query: { limit }, header: { "x-purpose": "AUDIT" } },
  });
  if (error !== undefined) throw new ApiProblem(error);
  return data.items;
}

/** What the generated types refuse: each line below must stay a type error. */
export async function typeErrors(baseUrl: string, accessToken: string): Promise<void> {
  const api = authorisedClient(baseUrl, accessToken);
  // @ts-expect-error: no such path in the contract
  await api.GET("/v1/audit-event");
  // @ts-expect-error: limit is an integer, not a string
  await api.GET("/v1/audit-events", { params: { query: { limit: "5" } } });
  // @ts-expect-error: grant_type is required by the token endpoint
  await api.POST("/v1/oauth/token", { body: { client_id: "x" } });
  const { data } = await api.GET("/v1/audit-events");
  // @ts-expect-error: data is undefined until the error branch is ruled out
  data.items;
  const problem = {} as Problem;
  // @ts-expect-error: a problem's status is a number
  const status: string = problem.status;
  void status;
}

/** Token, then one typed call; what tests/clients runs with node. */
export async function main(baseUrl: string, clientId: string, clientSecret: string) {
  const token = await getAccessToken(baseUrl, clientId, clientSecret);
  const events = await recentAuditEvents(baseUrl, token, 5);
  const refused = await authorisedClient(baseUrl, token).GET("/v1/audit-events", {
    params: { query: { limit: 101 } },
  });
  return {
    events: events.map((event) => ({ seq: event.seq, operation: event.operation })),
    // The over-limit request is refused with a typed problem (422).
    problem: refused.error === undefined ? null : { status: refused.error.status, code: refused.error.code },
  };
}
