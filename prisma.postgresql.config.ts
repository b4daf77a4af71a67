import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// The PostgreSQL schema (generated from prisma/schema.prisma by scripts/db-schemas.mjs). Generating
// the client and `migrate diff` need no server; the URL only has to parse.
const url = process.env.DATABASE_URL?.startsWith("postgres")
  ? process.env.DATABASE_URL
  : "postgresql://leadline@127.0.0.1:5432/leadline";
process.env.DATABASE_URL = url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "postgresql", "schema.prisma"),
  migrations: { path: path.join("prisma", "postgresql", "migrations") },
  async adapter() {
    return new PrismaPg({ connectionString: url });
  },
});
