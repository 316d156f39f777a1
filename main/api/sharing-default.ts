// What a chart without recorded sharing facts means (docs/architecture.md, Sync). In
// its own module, without zod, because the chart reader (main/store/charts/chart-doc.ts)
// runs on the bulk decoding thread too, which should not load the API's schemas.
import type { PatientSharing } from './schemas';

export const DEFAULT_SHARING: PatientSharing = { fieldTeamIds: [], fieldCopies: true, regionalHub: false };
