// The peer of the `organizations` benchmark (graphql/server/benches/compare/http.rs):
// Apollo Server, standalone, serving the subset of Houston's schema the benchmark asks
// for, on the same SQLite file and the same token secret as the houston-server it is
// compared with. What a team would otherwise reach for to put GraphQL over this data.
//
// Environment: HOUSTON_BENCH_DB (the SQLite file, checkpointed: sql.js reads no WAL),
// HOUSTON_BENCH_SECRET_FILE (the server's token secret). Listens on a free loopback port
// and prints `listening <url>`.
//
// Per request it does what houston-server's resolver does: check the JWT (HS256 with
// node:crypto, `iss`, `aud`, `exp` with the same 30 s leeway), read the user (token version
// and status), the user's organizations, and the role in each; prepared statements, the
// same SQL text as the Rust store.

import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { GraphQLError } from "graphql";
import initSqlJs from "sql.js";
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

const dbPath = process.env.HOUSTON_BENCH_DB;
const secretPath = process.env.HOUSTON_BENCH_SECRET_FILE;
if (!dbPath || !secretPath) {
  console.error("set HOUSTON_BENCH_DB and HOUSTON_BENCH_SECRET_FILE");
  process.exit(2);
}

// The secret file holds base64url (no padding) of the key, as auth.rs writes it.
const secretText = readFileSync(secretPath, "utf8").trim();
const secret = Buffer.from(secretText, "base64url");

const SQL = await initSqlJs();
const bytes = readFileSync(dbPath);
// Bytes 18 and 19 of the header say WAL (2); the file is checkpointed, so reading it as
// a rollback-journal database (1) sees exactly the same data.
bytes[18] = 1;
bytes[19] = 1;
const db = new SQL.Database(bytes);

const userStmt = db.prepare("SELECT token_version, status FROM users WHERE id = ?");
const orgsStmt = db.prepare(
  "SELECT o.id, o.name, o.description, o.enabled, o.created_at FROM organizations o " +
    "JOIN memberships m ON m.org_id = o.id WHERE m.user_id = ? ORDER BY o.name, o.id",
);
const roleStmt = db.prepare("SELECT role FROM memberships WHERE org_id = ? AND user_id = ?");

function all(stmt, params) {
  stmt.bind(params);
  const rows = [];
  while (stmt.step()) rows.push(stmt.getAsObject());
  stmt.reset();
  return rows;
}

const LEEWAY_SECS = 30;

// Returns the claims of a valid token, or null.
function verify(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (header.alg !== "HS256") return null;
  const expected = createHmac("sha256", secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number" || claims.exp + LEEWAY_SECS < now) return null;
  if (claims.iss !== "houston" || claims.aud !== "houston-api") return null;
  if (typeof claims.sub !== "string") return null;
  return claims;
}

const typeDefs = `#graphql
  type Organization {
    id: ID!
    name: String!
    description: String
    enabled: Boolean!
    createdAt: String!
  }
  type Query {
    organizations: [Organization!]!
  }
`;

const unauthenticated = () =>
  new GraphQLError("Sign in first.", { extensions: { code: "UNAUTHENTICATED" } });

const resolvers = {
  Query: {
    organizations: (_parent, _args, { userId }) => {
      if (!userId) throw unauthenticated();
      return all(orgsStmt, [userId]).map((row) => {
        // The resolver in Rust reads the caller's role in each organization; so does this.
        all(roleStmt, [row.id, userId]);
        return {
          id: row.id,
          name: row.name,
          description: row.description,
          enabled: row.enabled === 1,
          createdAt: row.created_at,
        };
      });
    },
  },
};

const server = new ApolloServer({ typeDefs, resolvers, introspection: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: 0 },
  context: async ({ req }) => {
    const raw = (req.headers.authorization || "").trim();
    const token = raw.startsWith("Bearer ") ? raw.slice(7).trim() : raw;
    const claims = token ? verify(token) : null;
    if (!claims) return { userId: null };
    const [user] = all(userStmt, [claims.sub]);
    if (!user || user.token_version !== claims.ver || user.status === "locked") {
      return { userId: null };
    }
    return { userId: claims.sub };
  },
});
console.log(`listening ${url.replace(/\/?$/, "/graphql")}`);
