import { Body, Controller, Get, HttpCode, NotFoundException, Post, Res } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Response } from 'express';
import { RequireRole } from '../../shared/http/auth.guard';
import { Ctx } from '../../shared/http/request-context';
import { CommandContext } from '../../shared/event-sourcing/event';
import { PurgeService } from '../purge/purge.service';
import { RebuildJob } from './rebuild-job';

export class RunPurgeDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'maxBatches must be an integer' })
  @Min(1, { message: 'maxBatches must be at least 1' })
  @Max(1000, { message: 'maxBatches must be at most 1000' })
  maxBatches?: number;
}

export class StartRebuildDto {
  @IsOptional()
  @IsString({ message: 'projection must be a string' })
  projection?: string;
}

/** What `wis purge run-once` and `wis projections rebuild` do, for admins over HTTP. */
@Controller('api')
export class AdminController {
  constructor(
    private readonly purge: PurgeService,
    private readonly rebuild: RebuildJob,
  ) {}

  /** One purge run now (due instances only; the grace period still holds). 200 with what it did. */
  @Post('purge/run')
  @HttpCode(200)
  @RequireRole('admin')
  async runPurge(@Body() body: RunPurgeDto) {
    const r = await this.purge.runOnce({ maxBatches: body.maxBatches });
    return {
      ran: !r.skipped,
      skipped: r.skipped ?? null,
      batches: r.batches.map((b) => ({ batchId: b.batchId, resumed: b.resumed, claimed: b.claimed, purged: b.purged, failed: b.failed, skipped: b.skipped })),
      purged: r.purged,
      failed: r.failed,
    };
  }

  /**
   * Starts a blue/green rebuild of every read model, or of `{ projection }` alone: 202 with its
   * progress; the same one running is returned as is, another one running is 409.
   */
  @Post('projections/rebuild')
  @HttpCode(202)
  @RequireRole('admin')
  startRebuild(@Body() body: StartRebuildDto, @Ctx() ctx: CommandContext, @Res({ passthrough: true }) res: Response) {
    const { job } = this.rebuild.start(ctx.actor, body.projection);
    res.setHeader('Location', '/api/projections/rebuild');
    return job;
  }

  @Get('projections/rebuild')
  rebuildStatus() {
    const job = this.rebuild.current;
    if (!job) throw new NotFoundException('no projection rebuild has been started in this process');
    return job;
  }
}
