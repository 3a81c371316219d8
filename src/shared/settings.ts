import { AppConfig } from '../config/app.config';

/** The validated configuration, injectable. */
export class AppSettings {
  constructor(readonly config: AppConfig) {}
}
