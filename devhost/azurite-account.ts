/**
 * Azurite's well-known development account. The devhost resolves `UseDevelopmentStorage=true` with it, and the
 * scripts that start Azurite hand it to the app; it lives here so both import it downward.
 */
export const AZURITE_ACCOUNT = "devstoreaccount1";
// The documented Azurite/emulator account key: public, not a secret.
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** The Table endpoint of a local Azurite on a port. */
export function azuriteTableEndpoint(port: number): string {
  return `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
}

export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${azuriteTableEndpoint(port)};`;
}
