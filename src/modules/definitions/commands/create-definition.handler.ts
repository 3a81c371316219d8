import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { definitionStream } from '../../../shared/event-sourcing/streams';
import { definitionDecider } from '../domain/definition.decider';

export class CreateDefinition {
  constructor(
    readonly definitionId: string,
    readonly name: string,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(CreateDefinition)
export class CreateDefinitionHandler implements ICommandHandler<CreateDefinition> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly clock: Clock,
  ) {}

  async execute({ definitionId, name, ctx }: CreateDefinition) {
    const now = this.clock.now().toISOString();
    await this.commands.run(definitionStream(definitionId), definitionDecider, { type: 'CreateDefinition', definitionId, name, now }, ctx);
  }
}
