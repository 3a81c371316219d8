import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandContext } from '../../shared/event-sourcing/event';
import { RequireRole } from '../../shared/http/auth.guard';
import { Ctx } from '../../shared/http/request-context';
import { InstanceReadModel } from '../../shared/read-models/read-model.ports';
import { ResumeBookmark } from './commands/resume-bookmark.handler';
import { ListBookmarksDto, ResumeBookmarkDto } from './instances.dto';

@Controller('api/bookmarks')
export class BookmarksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly instances: InstanceReadModel,
  ) {}

  @Get()
  async list(@Query() q: ListBookmarksDto) {
    return { items: await this.instances.listBookmarks({ name: q.name, instanceId: q.instanceId, limit: q.limit ?? 100 }) };
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireRole('operator')
  async resume(@Param('id') id: string, @Body() body: ResumeBookmarkDto, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new ResumeBookmark(id, body.input, ctx));
  }
}
