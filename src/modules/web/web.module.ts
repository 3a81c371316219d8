import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** Serves the operator page at `/` from the same origin as the API. */
@Module({ controllers: [WebController] })
export class WebModule {}
