-- One row written by /healthz, so a database that cannot take writes (a full disk) shows as unhealthy.
CREATE TABLE "Heartbeat" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL
);
