import { Injectable, SetMetadata, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Service } from '@ruche/hosting';
import type { ServiceDriver } from './driver.js';

const DRIVER_METADATA = 'ruche:service-driver';

/**
 * Marks a provider as the driver of its service. The registry finds every marked provider: a
 * new service is a new class with this mark in the module's providers, nothing else. A driver
 * marked `override` (tests) takes its service over from the regular one.
 */
export const Driver = (options: { override?: boolean } = {}) => SetMetadata(DRIVER_METADATA, { override: options.override ?? false });

/** The driver of each service, found among the providers marked with `@Driver()`. */
@Injectable()
export class DriverRegistry implements OnModuleInit {
  private readonly drivers = new Map<Service, ServiceDriver>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.instance && wrapper.metatype && Reflect.getMetadata(DRIVER_METADATA, wrapper.metatype))
      .map((wrapper) => ({ driver: wrapper.instance as ServiceDriver, override: (Reflect.getMetadata(DRIVER_METADATA, wrapper.metatype!) as { override: boolean }).override }));
    for (const { driver, override } of [...found.filter((entry) => !entry.override), ...found.filter((entry) => entry.override)]) {
      if (this.drivers.has(driver.service) && !override) throw new Error(`Two drivers for the ${driver.service} service`);
      this.drivers.set(driver.service, driver);
    }
  }

  get(service: Service): ServiceDriver | undefined {
    return this.drivers.get(service);
  }

  services(): Service[] {
    return [...this.drivers.keys()];
  }
}
