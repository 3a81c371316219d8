import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { instanceDecider } from '../domain/instance.decider';

export class ChangeStatus {
  constructor(
    readonly instanceId: string,
    readonly to: 'Complete' | 'Fault' | 'Cancel',
    readonly error: string | null,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(ChangeStatus)
export class ChangeStatusHandler implements ICommandHandler<ChangeStatus> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly clock: Clock,
  ) {}

  async execute({ instanceId, to, error, ctx }: ChangeStatus) {
    const now = this.clock.now().toISOString();
    const command = to === 'Fault' ? { type: to, instanceId, error, now } : { type: to, instanceId, now };
    await this.commands.run(instanceStream(instanceId), instanceDecider, command, ctx);
  }
}
