import { Injectable } from '@nestjs/common';
import type { Service } from '@ruche/hosting';
import type { ServiceDriver } from './driver.js';
import { NginxDriver } from './web/nginx.driver.js';
import { KnotDriver } from './dns/knot.driver.js';

/** The driver for each service. A new service: write its driver, list it here. */
@Injectable()
export class DriverRegistry {
  private readonly drivers: Map<Service, ServiceDriver>;

  constructor(web: NginxDriver, dns: KnotDriver) {
    this.drivers = new Map<Service, ServiceDriver>([
      [web.service, web],
      [dns.service, dns],
    ]);
  }

  get(service: Service): ServiceDriver | undefined {
    return this.drivers.get(service);
  }

  services(): Service[] {
    return [...this.drivers.keys()];
  }
}
