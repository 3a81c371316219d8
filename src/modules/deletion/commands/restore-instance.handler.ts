import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { instanceDecider } from '../../instances/domain/instance.decider';

export class RestoreInstance {
  constructor(
    readonly instanceId: string,
    readonly ctx: CommandContext,
  ) {}
}

/** 409 when not deleted or once the purge has begun on it; 404 when unknown or purged. */
@CommandHandler(RestoreInstance)
export class RestoreInstanceHandler implements ICommandHandler<RestoreInstance> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly clock: Clock,
  ) {}

  async execute({ instanceId, ctx }: RestoreInstance) {
    await this.commands.run(
      instanceStream(instanceId),
      instanceDecider,
      { type: 'Restore', instanceId, by: ctx.actor, now: this.clock.now().toISOString() },
      ctx,
    );
  }
}
