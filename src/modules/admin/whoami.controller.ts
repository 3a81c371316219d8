import { Controller, Get, Req } from '@nestjs/common';
import { Request } from 'express';
import { AppSettings } from '../../shared/settings';

/** Who the presented key is: the web page uses it to offer only what the role may do. */
@Controller('api')
export class WhoamiController {
  constructor(private readonly settings: AppSettings) {}

  @Get('whoami')
  whoami(@Req() req: Request) {
    return {
      name: req.principal!.id,
      role: req.principal!.role,
      authentication: this.settings.config.apiKeys.length > 0 ? 'api-keys' : 'off',
    };
  }
}
