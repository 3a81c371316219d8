import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { fold } from '../../../shared/event-sourcing/decider';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { definitionStream, instanceStream } from '../../../shared/event-sourcing/streams';
import { definitionDecider } from '../../definitions/domain/definition.decider';
import { DefinitionEvent } from '../../definitions/domain/definition.events';
import { instanceDecider } from '../domain/instance.decider';

export class CreateInstance {
  constructor(
    readonly instanceId: string,
    readonly definitionId: string,
    readonly name: string | null,
    readonly correlationId: string | null,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(CreateInstance)
export class CreateInstanceHandler implements ICommandHandler<CreateInstance> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly clock: Clock,
  ) {}

  async execute(c: CreateInstance) {
    // The definition's own stream is the truth: a deleted or unknown definition refuses new instances.
    const definition = fold(definitionDecider, (await this.commands.events.readStream(definitionStream(c.definitionId))) as unknown as DefinitionEvent[]);
    await this.commands.run(
      instanceStream(c.instanceId),
      instanceDecider,
      {
        type: 'CreateInstance',
        instanceId: c.instanceId,
        definitionId: c.definitionId,
        name: c.name,
        correlationId: c.correlationId,
        definitionLive: definition.exists && !definition.deleted,
        now: this.clock.now().toISOString(),
      },
      c.ctx,
    );
  }
}
