/** The PostgreSQL schema.prisma written from the SQLite one (scripts/db-schemas.mjs). */
export function postgresSchema(sqliteSchema: string): string;
