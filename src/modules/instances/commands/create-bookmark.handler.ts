import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { instanceDecider } from '../domain/instance.decider';

export class CreateBookmark {
  constructor(
    readonly instanceId: string,
    readonly bookmarkId: string,
    readonly name: string,
    readonly payload: unknown,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(CreateBookmark)
export class CreateBookmarkHandler implements ICommandHandler<CreateBookmark> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly clock: Clock,
  ) {}

  async execute(c: CreateBookmark) {
    const now = this.clock.now().toISOString();
    await this.commands.run(
      instanceStream(c.instanceId),
      instanceDecider,
      { type: 'CreateBookmark', instanceId: c.instanceId, bookmarkId: c.bookmarkId, name: c.name, payload: c.payload, now },
      c.ctx,
    );
    return { id: c.bookmarkId, instanceId: c.instanceId, name: c.name, createdAt: now };
  }
}
