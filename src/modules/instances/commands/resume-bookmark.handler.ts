import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { InstanceReadModel } from '../../../shared/read-models/read-model.ports';
import { BookmarkNotFoundError, instanceDecider } from '../domain/instance.decider';

export class ResumeBookmark {
  constructor(
    readonly bookmarkId: string,
    readonly input: unknown,
    readonly ctx: CommandContext,
  ) {}
}

/**
 * Unknown, resumed, soft-deleted and purged all end in the same BookmarkNotFoundError: the same
 * 404, nothing appended, nothing logged above debug (the error filter logs only 5xx).
 */
@CommandHandler(ResumeBookmark)
export class ResumeBookmarkHandler implements ICommandHandler<ResumeBookmark> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly instances: InstanceReadModel,
    private readonly clock: Clock,
  ) {}

  async execute(c: ResumeBookmark) {
    const bookmark = await this.instances.getBookmark(c.bookmarkId);
    if (!bookmark) throw new BookmarkNotFoundError();
    const { state } = await this.commands.run(
      instanceStream(bookmark.instanceId),
      instanceDecider,
      { type: 'ResumeBookmark', instanceId: bookmark.instanceId, bookmarkId: c.bookmarkId, input: c.input, now: this.clock.now().toISOString() },
      c.ctx,
    );
    return { bookmarkId: c.bookmarkId, instanceId: bookmark.instanceId, status: state.status };
  }
}
