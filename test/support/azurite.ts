/** Azurite's Table service for integration tests: in memory, on a free loopback port (the same helper `npm start` uses). */
export { freePort, startAzuriteTables, type AzuriteTables } from "../../scripts/azurite";
