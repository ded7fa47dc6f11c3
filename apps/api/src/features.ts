import type { FeatureSettings, RucheFeature } from '@ruche/core';
import { hostingFeature } from '@ruche/hosting';
import { accountingFeature } from '@ruche/accounting';
import { provisioningFeature } from '@ruche/provisioning';
import { billingFeature } from '@ruche/billing';
import { timekeepingFeature } from '@ruche/timekeeping';
import { movingFeature } from '@ruche/moving';

export const features: RucheFeature[] = [hostingFeature, accountingFeature, provisioningFeature, billingFeature, timekeepingFeature, movingFeature];

/** The settings the features declare, checked at start with core's. */
export const featureSettings: FeatureSettings[] = features.flatMap((feature) => (feature.settings ? [feature.settings] : []));
